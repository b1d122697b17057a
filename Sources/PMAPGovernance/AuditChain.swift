import Crypto
import Foundation

/// One line of the audit trail: who did (or was refused) what, on which project and target, how
/// many rows it touched, and why. Names ids, never patient data.
public struct AuditEntry: Sendable, Equatable, Codable {
    /// The entry's place in the chain: 1, 2, 3, … without gaps.
    public var sequence: Int64
    /// When it happened, as an ISO 8601 timestamp.
    public var time: String
    /// The acting user; nil for the platform itself (e.g. a scheduled job).
    public var userID: Int64?
    public var projectID: Int64?
    /// What was done, e.g. `read`, `ingest`, `grant.revoke`.
    public var action: String
    /// What it was done to, e.g. `grant 4` or a file name.
    public var target: String
    /// How many rows were read or written, when that is known.
    public var rows: Int?
    /// Whether the policy allowed it.
    public var allowed: Bool
    /// The policy's reason.
    public var reason: String

    public init(
        sequence: Int64, time: String, userID: Int64?, projectID: Int64?, action: String, target: String,
        rows: Int? = nil, allowed: Bool, reason: String
    ) {
        self.sequence = sequence
        self.time = time
        self.userID = userID
        self.projectID = projectID
        self.action = action
        self.target = target
        self.rows = rows
        self.allowed = allowed
        self.reason = reason
    }
}

/// The tamper-evident audit chain.
///
/// Every entry's MAC is an HMAC-SHA256 over the entry and the previous entry's MAC, under a key
/// derived from the institution's ``VaultKey``, which lives outside the store. Someone with only
/// the database can therefore not edit, delete, insert or reorder entries without
/// ``verify(_:expectedHead:)`` naming the first entry that no longer fits; comparing the last
/// MAC with a separately recorded head also catches a cut-off tail.
public struct AuditChain: Sendable {
    private let macKey: SymmetricKey
    /// The id of the vault key the chain's key derives from.
    public let keyID: String

    /// A chain keyed by an HMAC key derived with HKDF (info `pmap audit chain v1`) from `key`.
    public init(key: VaultKey) {
        keyID = key.id
        macKey = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: key.key, info: Data("pmap audit chain v1".utf8), outputByteCount: 32)
    }

    /// 32 zero bytes: the "previous MAC" of entry 1.
    public static let genesis = Data(count: 32)

    /// HMAC-SHA256 over a canonical, unambiguous encoding of every field of `entry`, then
    /// `previous` (the MAC of the entry before, or ``genesis``).
    public func mac(of entry: AuditEntry, previous: Data) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: Self.canonical(entry, previous: previous), using: macKey))
    }

    /// `entries` (sequences 1, 2, 3, …) each with its MAC, chained from ``genesis``.
    public func chain(_ entries: [AuditEntry]) -> [(entry: AuditEntry, mac: Data)] {
        var previous = Self.genesis
        return entries.map { entry in
            let mac = mac(of: entry, previous: previous)
            previous = mac
            return (entry, mac)
        }
    }

    /// Checks `entries`, in the order given (the store's order by sequence): the sequences must
    /// run 1, 2, 3, … and every MAC must match its entry and the MAC before it; with
    /// `expectedHead`, the last MAC must also equal the head recorded apart from the entries.
    ///
    /// A broken chain names the sequence number where it first fails: the first entry whose MAC
    /// does not match, or the number that is missing, repeated or out of place.
    public func verify(_ entries: [(entry: AuditEntry, mac: Data)], expectedHead: Data?) -> AuditVerification
    {
        var previous = Self.genesis
        var macs: [Data] = []
        macs.reserveCapacity(entries.count)
        for (index, item) in entries.enumerated() {
            let expected = Int64(index + 1)
            let found = item.entry.sequence
            if found != expected {
                let after = expected == 1 ? "at the start of the chain" : "after entry \(expected - 1)"
                let problem =
                    found < expected
                    ? "expected entry \(expected) \(after) but found entry \(found) again, or out of order"
                    : "entry \(expected) is missing or out of place: \(after) comes entry \(found)"
                return .broken(sequence: expected, problem: problem)
            }
            let valid = HMAC<SHA256>.isValidAuthenticationCode(
                item.mac, authenticating: Self.canonical(item.entry, previous: previous), using: macKey)
            guard valid else {
                return .broken(
                    sequence: found,
                    problem:
                        "entry \(found)'s MAC does not match its contents and the entry before it: it was altered, inserted or moved, or written under another key"
                )
            }
            previous = item.mac
            macs.append(item.mac)
        }
        let count = entries.count
        if let expectedHead, expectedHead != previous {
            if let index = macs.firstIndex(of: expectedHead) {
                return .broken(
                    sequence: Int64(index + 2),
                    problem:
                        "the recorded head is entry \(index + 1)'s MAC, but the chain continues to entry \(count)"
                )
            }
            if count == 0 {
                return .broken(
                    sequence: 1, problem: "the chain is empty but the recorded head is not the genesis value")
            }
            return .broken(
                sequence: Int64(count + 1),
                problem:
                    "the chain ends at entry \(count) but the recorded head is not its MAC: later entries were removed, or the head was altered"
            )
        }
        return .intact(count: count, head: previous)
    }

    /// Lower-case hexadecimal, for printing heads and MACs.
    public static func hex(_ data: Data) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(data.count * 2)
        for byte in data {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The bytes of hexadecimal text (either case, even length), as printed by ``hex(_:)``; nil
    /// when `text` is not hexadecimal.
    public static func data(hex text: String) -> Data? {
        let utf8 = Array(text.utf8)
        guard utf8.count.isMultiple(of: 2) else { return nil }
        func value(_ digit: UInt8) -> UInt8? {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var data = Data(capacity: utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = value(utf8[index]), let low = value(utf8[index + 1]) else { return nil }
            data.append(high << 4 | low)
            index += 2
        }
        return data
    }

    /// The bytes the MAC covers: a version tag, then every field in a fixed order, each integer
    /// as 8 big-endian bytes, each string and the previous MAC preceded by its length, each
    /// optional preceded by a presence byte; so two different entries never encode alike.
    static func canonical(_ entry: AuditEntry, previous: Data) -> Data {
        var bytes = Data("pmap-audit-entry-v1".utf8)
        func integer(_ value: Int64) {
            withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
        }
        func blob(_ value: Data) {
            integer(Int64(value.count))
            bytes.append(value)
        }
        func string(_ value: String) { blob(Data(value.utf8)) }
        func optional(_ value: Int64?) {
            if let value {
                bytes.append(1)
                integer(value)
            } else {
                bytes.append(0)
            }
        }
        integer(entry.sequence)
        string(entry.time)
        optional(entry.userID)
        optional(entry.projectID)
        string(entry.action)
        string(entry.target)
        optional(entry.rows.map(Int64.init))
        bytes.append(entry.allowed ? 1 : 0)
        string(entry.reason)
        blob(previous)
        return bytes
    }
}

/// The outcome of ``AuditChain/verify(_:expectedHead:)``.
public enum AuditVerification: Sendable, Equatable {
    /// Every entry checks out; `head` is the last MAC (``AuditChain/genesis`` for an empty chain).
    case intact(count: Int, head: Data)
    /// The chain fails at `sequence`, for the reason given.
    case broken(sequence: Int64, problem: String)
}
