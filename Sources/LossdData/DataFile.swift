// SPDX-License-Identifier: Apache-2.0

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Opening and identifying data files, with errors that name the file and the system's reason.
enum DataFile {
    /// A file's identity for the loader's cache: a changed size or modification time is a new file.
    struct Stamp: Sendable, Hashable {
        var size: Int
        var modified: ModificationTime
    }

    /// The modification time (seconds, nanoseconds).
    struct ModificationTime: Sendable, Hashable { var seconds: Int; var nanoseconds: Int }

    /// The stamp of a regular file, or an error naming it.
    static func stamp(_ path: String) throws(DataError) -> Stamp {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw DataError(.unreadable, file: path, "cannot open: \(String(cString: strerror(errno)))")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw DataError(.unreadable, file: path, "not a regular file")
        }
        return Stamp(size: Int(info.st_size),
                     modified: ModificationTime(seconds: Int(info.st_mtim.tv_sec), nanoseconds: Int(info.st_mtim.tv_nsec)))
    }

    /// The file opened for reading.
    static func openForReading(_ path: String) throws(DataError) -> FileHandle {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw DataError(.unreadable, file: path, "cannot open: \(String(cString: strerror(errno)))")
        }
        return FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }
}
