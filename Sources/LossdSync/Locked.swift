// SPDX-License-Identifier: Apache-2.0

import Foundation
public import Synchronization

/// A `Mutex` whose critical sections ThreadSanitizer can see.
///
/// On Linux, `Synchronization.Mutex` locks with futexes inside the uninstrumented standard
/// library, so ThreadSanitizer sees no ordering between critical sections and reports every
/// access they guard as a race. Under `-sanitize=thread` this wrapper tells it that each section
/// acquires and releases this object (`__tsan_acquire` / `__tsan_release`, found at run time);
/// in any other build the hooks are absent and a section is just `Mutex.withLock`.
///
/// Inlinable, so that each use is specialised for its value type in the calling module (the
/// engine locks once per time slice).
public final class Locked<Value: ~Copyable>: Sendable {
    @usableFromInline let mutex: Mutex<Value>

    @inlinable
    public init(_ value: consuming sending Value) {
        mutex = Mutex(value)
    }

    /// Runs `body` with exclusive access to the value.
    @inlinable
    public func withLock<Result, E: Error>(_ body: (inout sending Value) throws(E) -> sending Result) throws(E) -> sending Result {
        let address = UnsafeRawPointer(Unmanaged.passUnretained(self).toOpaque())
        return try mutex.withLock { (value: inout sending Value) throws(E) -> sending Result in
            ThreadSanitizer.hooks?.acquire(address)
            defer { ThreadSanitizer.hooks?.release(address) }
            return try body(&value)
        }
    }
}

/// ThreadSanitizer's annotation entry points, when its runtime is linked in.
@usableFromInline
enum ThreadSanitizer {
    @usableFromInline typealias Hook = @convention(c) (UnsafeRawPointer?) -> Void

    @usableFromInline static let hooks: (acquire: Hook, release: Hook)? = {
        guard let handle = dlopen(nil, RTLD_NOW),
              let acquire = dlsym(handle, "__tsan_acquire"),
              let release = dlsym(handle, "__tsan_release") else { return nil }
        return (unsafeBitCast(acquire, to: Hook.self), unsafeBitCast(release, to: Hook.self))
    }()
}
