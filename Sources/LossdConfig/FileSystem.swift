// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The few file operations the loader needs, through libc: bounded reads of regular files and
/// listing a directory. Failures come back as sentences naming the path.
enum FileSystem {
    /// The contents of the regular file at `path`, refusing directories, devices, FIFOs and files
    /// larger than `maxBytes` before reading any of them.
    /// Messages name the file `display` (the path as the user wrote it).
    static func read(_ path: String, display: String, maxBytes: Int) -> Result<[UInt8], FileProblem> {
        var info = stat()
        guard stat(path, &info) == 0 else { return .failure(.system(display, errno)) }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: return .failure(.message("\(display) is a directory, not a configuration file"))
        default: return .failure(.message("\(display) is not a regular file"))
        }
        guard Int(info.st_size) <= maxBytes else {
            return .failure(.tooLarge("\(display) is \(info.st_size) bytes; the limit is \(maxBytes) bytes"))
        }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { return .failure(.system(display, errno)) }
        defer { close(descriptor) }
        return readToEnd(descriptor, display: display, maxBytes: maxBytes)
    }

    /// Standard input up to its end, failing once more than `maxBytes` arrive.
    static func readStandardInput(display: String, maxBytes: Int) -> Result<[UInt8], FileProblem> {
        readToEnd(STDIN_FILENO, display: display, maxBytes: maxBytes)
    }

    /// What `descriptor` yields up to its end (a file, or standard input),
    /// failing once more than `maxBytes` arrive.
    static func readToEnd(_ descriptor: Int32, display: String, maxBytes: Int) -> Result<[UInt8], FileProblem> {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            // Sound: `chunk` is a live local array; read writes at most `chunk.count` bytes into it.
            let count = chunk.withUnsafeMutableBytes { buffer in Glibc.read(descriptor, buffer.baseAddress, buffer.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(.system(display, errno))
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
            // A file may have grown since stat, standard input has no size: the bound holds on what is read.
            if bytes.count > maxBytes {
                return .failure(.tooLarge("\(display) is larger than the limit of \(maxBytes) bytes"))
            }
        }
        return .success(bytes)
    }

    /// The names in directory `path` (no `.` or `..`), unsorted.
    static func list(_ path: String, display: String) -> Result<[String], FileProblem> {
        var info = stat()
        guard stat(path, &info) == 0 else { return .failure(.system(display, errno)) }
        guard info.st_mode & S_IFMT == S_IFDIR else { return .failure(.message("\(display) is not a directory")) }
        guard let directory = opendir(path) else { return .failure(.system(display, errno)) }
        defer { closedir(directory) }
        var names: [String] = []
        // Sound: readdir returns an entry valid until the next readdir/closedir; its name is a
        // NUL-terminated array inside it, copied out at once.
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return .success(names)
    }
}

/// Why a file could not be read.
enum FileProblem: Error, Sendable {
    case system(String, Int32)
    case message(String)
    case tooLarge(String)

    var description: String {
        switch self {
        case .system(let path, let code): "cannot read \(path): \(String(cString: strerror(code)))"
        case .message(let text), .tooLarge(let text): text
        }
    }
}

extension FileSystem {
    /// The process's working directory, or `/` if it cannot be found.
    static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: 4_096)
        // Sound: getcwd writes at most `buffer.count` bytes, NUL included, into the live array.
        let found = buffer.withUnsafeMutableBufferPointer { getcwd($0.baseAddress, $0.count) != nil }
        guard found else { return "/" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
