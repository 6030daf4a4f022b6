// SPDX-License-Identifier: Apache-2.0

import Foundation
import Synchronization

/// A stand-in for systemd's notification socket: a datagram socket in a temporary directory that
/// `$NOTIFY_SOCKET` names while it is open, so that `sd_notify` really sends, and a thread that
/// drains (and counts) what arrives, as the service manager would.
public final class NotifySocket: Sendable {
    public let path: String
    private let descriptor: Int32
    private let received = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private let done = DispatchSemaphore(value: 0)
    private let previous: String?

    /// Binds the socket and points `$NOTIFY_SOCKET` at it; nil if the socket cannot be made.
    public init?() {
        let directory = NSTemporaryDirectory() + "lossd-bench-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard (try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)) != nil else { return nil }
        path = directory + "/notify"
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else {
            _ = Glibc.close(descriptor)
            return nil
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            // Sound: bytes.count < capacity, the rest of sun_path stays zero (NUL-terminated).
            raw.copyBytes(from: bytes)
        }
        let bound = withUnsafePointer(to: &address) { pointer in
            // Sound: sockaddr_un is a valid sockaddr of its own size.
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0 else {
            _ = Glibc.close(descriptor)
            return nil
        }
        self.descriptor = descriptor
        previous = ProcessInfo.processInfo.environment["NOTIFY_SOCKET"]
        setenv("NOTIFY_SOCKET", path, 1)
        let thread = Thread { [self] in drain() }
        thread.name = "notify-drain"
        thread.start()
    }

    /// Datagrams received so far.
    public var messages: Int { received.load(ordering: .relaxed) }

    /// Stops draining, closes the socket and restores `$NOTIFY_SOCKET`.
    public func close() {
        stopping.store(true, ordering: .relaxed)
        done.wait()
        if let previous { setenv("NOTIFY_SOCKET", previous, 1) } else { unsetenv("NOTIFY_SOCKET") }
        _ = Glibc.close(descriptor)
        unlink(path)
        rmdir((path as NSString).deletingLastPathComponent)
    }

    private func drain() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        while !stopping.load(ordering: .relaxed) {
            guard poll(&poller, 1, 20) > 0 else { continue }
            // Sound: recv writes at most buffer.count bytes into the buffer.
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count >= 0 { received.wrappingAdd(1, ordering: .relaxed) }
        }
        done.signal()
    }
}
