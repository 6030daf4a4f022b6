// SPDX-License-Identifier: Apache-2.0

/// A value kept out of line, copied on write: a struct holding large values through this stays
/// one pointer wide for each, so a dictionary of such structs (the supervisor's jobs, 100,000 of
/// them in a big sweep, in a table with up to twice as many slots) costs 8 bytes a slot per value
/// instead of the value's whole size.
@propertyWrapper
struct Boxed<Value: Sendable>: Sendable {
    /// Sound to send: `value` is only written while this box is its storage's sole owner
    /// (`isKnownUniquelyReferenced`), so no other thread can see a write; shared storage is
    /// replaced, never written.
    private final class Storage: @unchecked Sendable {
        var value: Value
        init(_ value: Value) { self.value = value }
    }

    private var storage: Storage

    init(wrappedValue: Value) {
        storage = Storage(wrappedValue)
    }

    var wrappedValue: Value {
        get { storage.value }
        set {
            if isKnownUniquelyReferenced(&storage) { storage.value = newValue } else { storage = Storage(newValue) }
        }
    }
}
