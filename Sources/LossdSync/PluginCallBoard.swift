// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization

/// The plugin-call board: a memory-mapped file in the state directory (`plugin-calls`) in which
/// every worker thread, before it calls into a plugin, records which plugin file, loss, job and
/// step it enters, and clears the record when the call returns.
///
/// Plugins run in-process, so a plugin that crashes (a segfault, an abort on heap corruption) or
/// hangs until the watchdog kills lossd takes the daemon with it. The board is how the next start
/// learns which job did it: a record still marked "in call" when the file is opened again names
/// the call the previous process died in (see ``open(path:)``).
///
/// Cost: one thread-local lookup and a few plain stores into the mapping per call; no system call
/// and no `msync`. The mapping is `MAP_SHARED`, so the stores land in the file's page-cache pages,
/// and the kernel writes dirty shared pages back to the file even when the process is killed
/// (SIGKILL, SIGSEGV, SIGABRT): only a crash of the whole machine can lose the last record.
///
/// Layout: a 4096-byte header (``magic``), then ``slotCount`` records of ``recordSize`` bytes:
///
///     offset 0   UInt32  1 while in a call, else 0
///            4   UInt32  process id
///            8   Int64   the job's step (1-based)
///           16   UInt16  job length, UInt16 plugin path length, UInt16 loss length
///           24   job (UTF-8, 256 bytes), plugin path (640 bytes), loss name (104 bytes)
///
/// Longer names are cut at the field's size. Each thread claims one slot on its first plugin call
/// and writes only there; a thread beyond the board's ``slotCount`` is not recorded.
public final class PluginCallBoard: @unchecked Sendable {
    // @unchecked Sendable: the mapping is shared, but each slot is written by the one thread that
    // claimed it (claims are atomic); the board itself is read only by `open`, before any call.

    /// One call found "in call" when the board was opened: what the previous process died in.
    public struct Record: Sendable, Hashable {
        /// The engine's id of the job (the worker's ``WorkerContext/job``).
        public var job: String
        public var plugin: String
        public var loss: String
        public var step: Int
        public var pid: Int32
    }

    /// The most slots a board has (a larger file is read only this far).
    public static let maxSlots = 1024
    static let recordSize = 1024
    static let headerSize = 4096
    static let magic = Array("lossd plugin-calls 1\n".utf8)
    private static let fields = (job: (offset: 24, size: 256), plugin: (offset: 280, size: 640), loss: (offset: 920, size: 104))
    static func fileSize(slots: Int) -> Int { headerSize + slots * recordSize }

    /// How many threads can record calls (one slot each).
    public let slotCount: Int
    private let base: UnsafeMutableRawPointer
    private let claimed = Atomic<Int>(0)
    private let pid: UInt32

    private init(base: UnsafeMutableRawPointer, slots: Int) {
        self.base = base
        slotCount = slots
        pid = UInt32(bitPattern: getpid())
    }

    // MARK: - Opening

    /// A failure to create or map the board file.
    public struct OpenError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Opens (creating it if needed) the board at `path`, returns the calls a previous process
    /// left "in call", and clears the file. Call it while holding the state directory's lock, so
    /// that no live process is writing the board.
    ///
    /// The file's blocks are allocated here (`posix_fallocate`), so that a store into the mapping
    /// can never meet a full filesystem (which would kill the process with SIGBUS); a board that
    /// cannot be allocated is an error, and lossd runs without one. `slots` is one per worker
    /// thread (4 KiB plus 1 KiB a slot). The mapping is never unmapped: a worker stuck in a
    /// plugin when lossd stops may still write its slot when the call returns.
    public static func open(path: String, slots: Int = 64) throws(OpenError) -> (board: PluginCallBoard, leftInCall: [Record]) {
        let slots = Swift.min(Swift.max(1, slots), maxSlots)
        let fileSize = fileSize(slots: slots)
        #if canImport(Glibc)
        let descriptor = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        #else
        let descriptor = Musl.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        #endif
        guard descriptor >= 0 else { throw OpenError(description: "cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw OpenError(description: "cannot stat \(path): \(String(cString: strerror(errno)))") }
        let previous = readRecords(descriptor, size: Int(info.st_size))
        // Cleared by truncation, then its blocks allocated (zeroed) for the stores to come.
        guard ftruncate(descriptor, 0) == 0, ftruncate(descriptor, off_t(fileSize)) == 0 else {
            throw OpenError(description: "cannot size \(path): \(String(cString: strerror(errno)))")
        }
        let allocation = posix_fallocate(descriptor, 0, off_t(fileSize))
        guard allocation == 0 else {
            _ = ftruncate(descriptor, 0)
            throw OpenError(description: "cannot allocate \(path): \(String(cString: strerror(allocation)))")
        }
        guard let mapped = mmap(nil, fileSize, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor, 0), mapped != MAP_FAILED else {
            throw OpenError(description: "cannot map \(path): \(String(cString: strerror(errno)))")
        }
        // Sound: the mapping holds fileSize bytes (the file was sized to it above).
        mapped.copyMemory(from: magic, byteCount: magic.count)
        return (PluginCallBoard(base: mapped, slots: slots), previous)
    }

    /// The calls a previous process left "in call" in the board at `path`, if there is one; the
    /// file is removed (for a start without plugins, which needs no board of its own).
    public static func leftovers(path: String) -> [Record] {
        #if canImport(Glibc)
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        #else
        let descriptor = Musl.open(path, O_RDONLY | O_CLOEXEC)
        #endif
        guard descriptor >= 0 else { return [] }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return [] }
        let records = readRecords(descriptor, size: Int(info.st_size))
        unlink(path)
        return records
    }

    /// The records marked "in call" in the board file open at `descriptor`, `size` bytes long
    /// (its header checked; a board of any slot count is read, up to ``maxSlots``).
    private static func readRecords(_ descriptor: Int32, size: Int) -> [Record] {
        let slotCount = Swift.min((size - headerSize) / recordSize, maxSlots)
        guard slotCount > 0 else { return [] }
        let fileSize = fileSize(slots: slotCount)
        var bytes = [UInt8](repeating: 0, count: fileSize)
        let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, fileSize, 0) }
        guard count == fileSize, Array(bytes.prefix(magic.count)) == magic else { return [] }
        return bytes.withUnsafeBytes { raw in
            (0..<slotCount).compactMap { slot -> Record? in
                let record = UnsafeRawBufferPointer(rebasing: raw[(headerSize + slot * recordSize)...].prefix(recordSize))
                guard record.loadUnaligned(as: UInt32.self) == 1 else { return nil }
                func text(_ field: (offset: Int, size: Int), lengthAt position: Int) -> String {
                    let length = min(Int(record.loadUnaligned(fromByteOffset: position, as: UInt16.self)), field.size)
                    return String(decoding: record[field.offset..<(field.offset + length)], as: UTF8.self)
                }
                return Record(job: text(fields.job, lengthAt: 16), plugin: text(fields.plugin, lengthAt: 18),
                              loss: text(fields.loss, lengthAt: 20), step: Int(record.loadUnaligned(fromByteOffset: 8, as: Int64.self)),
                              pid: Int32(bitPattern: record.loadUnaligned(fromByteOffset: 4, as: UInt32.self)))
            }
        }
    }

    // MARK: - The board in use

    private static let installed = Locked<PluginCallBoard?>(nil)
    /// Bumped by each ``install(_:)``, so that a thread notices a new board with one atomic load.
    private static let generation = Atomic<Int>(0)

    /// Makes `board` the one plugin calls record into (nil: record nothing).
    /// The board plugin calls record into, if any.
    public static var current: PluginCallBoard? { installed.withLock { $0 } }

    public static func install(_ board: PluginCallBoard?) {
        installed.withLock { $0 = board }
        generation.add(1, ordering: .releasing)
    }

    /// Marks every call as returned: a clean stop that gives up on a worker stuck in a plugin
    /// leaves that job to resume from its checkpoint at the next start, not to fail as crashed.
    public func releaseAll() {
        for slot in 0..<slotCount { slotAddress(slot).storeBytes(of: UInt32(0), as: UInt32.self) }
    }

    private func slotAddress(_ slot: Int) -> UnsafeMutableRawPointer {
        // Sound: slot < slotCount, so the record lies inside the mapping (sized for slotCount).
        base + Self.headerSize + slot * Self.recordSize
    }

    // MARK: - Recording a call

    /// Records that the calling thread enters `loss` of the plugin at `plugin`, for the job and
    /// step of its ``WorkerContext``; returns the slot to pass to ``leave(_:)``, or nil when
    /// nothing is recorded (no board installed, no job set, no slot left).
    public static func enter(plugin: String, loss: String) -> UnsafeMutableRawPointer? {
        WorkerContext.withValues { values in record(plugin: plugin, loss: loss, values) }
    }

    @inline(__always)
    private static func record(plugin: String, loss: String, _ values: WorkerContext.Values) -> UnsafeMutableRawPointer? {
        guard !values.job.isEmpty else { return nil }
        let current = generation.load(ordering: .acquiring)
        if values.generation != current { claimSlot(values, generation: current) }
        guard let slot = values.slot else { return nil }
        if values.written.job != values.job {
            write(values.job, fields.job, lengthAt: 16, into: slot)
            values.written.job = values.job
        }
        if values.written.plugin != plugin {
            write(plugin, fields.plugin, lengthAt: 18, into: slot)
            values.written.plugin = plugin
        }
        if values.written.loss != loss {
            write(loss, fields.loss, lengthAt: 20, into: slot)
            values.written.loss = loss
        }
        slot.storeBytes(of: Int64(values.step), toByteOffset: 8, as: Int64.self)
        // Plain stores: the slot is this thread's alone, and a reader looks only after this
        // process is gone. The stores come before the plugin call (an opaque C call), in order.
        slot.storeBytes(of: UInt32(1), as: UInt32.self)
        return slot
    }

    /// Gives the calling thread a slot of the installed board (nil: none installed, or none left).
    private static func claimSlot(_ values: WorkerContext.Values, generation current: Int) {
        let board = installed.withLock { $0 }
        values.board = board  // keeps the mapping's owner alive while the thread may write to it
        values.generation = current
        values.written = ("", "", "")
        values.slot = nil
        guard let board else { return }
        let index = board.claimed.add(1, ordering: .relaxed).newValue - 1
        guard index < board.slotCount else { return }
        let slot = board.slotAddress(index)
        slot.storeBytes(of: board.pid, toByteOffset: 4, as: UInt32.self)
        values.slot = slot
    }

    /// Records that the call ``enter(plugin:loss:)`` recorded in `slot` returned.
    public static func leave(_ slot: UnsafeMutableRawPointer?) {
        slot?.storeBytes(of: UInt32(0), as: UInt32.self)
    }

    private static func write(_ text: String, _ field: (offset: Int, size: Int), lengthAt position: Int,
                              into slot: UnsafeMutableRawPointer) {
        var text = text
        text.withUTF8 { bytes in
            let count = min(bytes.count, field.size)
            // Sound: the field lies inside the slot's record (offset + size <= recordSize).
            if count > 0 { (slot + field.offset).copyMemory(from: bytes.baseAddress!, byteCount: count) }
            slot.storeBytes(of: UInt16(count), toByteOffset: position, as: UInt16.self)
        }
    }
}
