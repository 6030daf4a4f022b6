// SPDX-License-Identifier: Apache-2.0

/// The journald `MESSAGE_ID` of each kind of event lossd logs; `systemd/lossd.catalog` explains
/// each one for `journalctl -x`. The IDs are permanent: never change or reuse one.
public enum MessageID: String, CaseIterable, Sendable {
    case daemonReady = "9ae1916408bb4113ad5bddf408931094"
    case daemonReloaded = "5a9f270039144186920d51a1bd72459d"
    case reloadRejected = "4a07907cb19a4f269cf59a193b7e15d0"
    case daemonStopping = "9227abbd6327403fbe6ed795b142bb16"
    case jobStarted = "25f6c445bf4e491daf4d311363673ef0"
    case jobProgress = "91e63efe1c244945a56af9f9506eb24d"
    case jobConverged = "bc47160f4e4d49cc86d0f8672666981c"
    case jobMaxSteps = "443eabc913354f0d9a6e0887dbd8d216"
    case jobDiverged = "faa1d37dd1444df6abb3d8539413cfd0"
    case jobPruned = "e48746f07c43499480705bc1073ee908"
    case jobFailed = "a0ce1ac636204dedad55b96cb665c087"
    case jobResumed = "f721804bf247465ab40415565c6a758f"
    case progressSummary = "e9b11a4923664865bb01846752024f2a"
    case stateSetAside = "03ddcc5d876b4848a1aa32d3d0afbf8d"
    case pluginRejected = "b5fe5a5f62be4c29bc3ec82a3300da44"
    case pluginCrashed = "02699eb91364497783e0ac56fa209a79"
    case jobEventSummary = "a8ca0f46b6304f678ddd0dd35fc2b9c1"
    case stateWriteFailed = "ed5636fa17e404365db6ae9f796c3df7"
    case stateWriteRecovered = "6720bec9123e6e518fac4f61cbceee51"

    /// The ID as journald shows it (32 lowercase hex digits).
    public var hex: String { rawValue }
}
