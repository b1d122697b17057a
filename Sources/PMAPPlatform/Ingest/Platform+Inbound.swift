import Foundation
import PMAPGovernance
import PMAPIngest
import PMAPStore

/// What the listener answers a sender: the HL7 acknowledgement code and its text.
public struct InboundReceipt: Sendable {
    /// `AA` stored (and loaded shortly), `AE` kept in quarantine with the reason, `AR` rejected
    /// as unreadable (also kept in quarantine).
    public let code: String
    public let text: String
    /// The acknowledgement message (MSH + MSA [+ ERR]) to send back, without MLLP framing.
    public let acknowledgement: String
}

extension Platform {
    /// Checks that the context may run a live feed (an operational role); recorded in the audit chain.
    public func authorizeListener(_ context: AccessContext, sourceName: String) async throws {
        try await require(context, .ingest, auditAction: "listen", target: "source \(sourceName)")
    }

    /// Receives one HL7 v2 message from a live feed: stored durably (encrypted) before this
    /// returns `AA`; a message that cannot be read or mapped is quarantined with its reason
    /// and answered `AR` or `AE`. Loading happens in ``loadInboundMessages(vault:sourceName:)``.
    public func receiveHL7Message(
        _ context: AccessContext, _ bytes: [UInt8], channel: String, sourceName: String, vault: IdentityVault
    ) async throws -> InboundReceipt {
        let text = String(decoding: bytes, as: UTF8.self)
        let sealed = try vault.seal(Data(bytes))
        let parsed: HL7v2Message
        do {
            parsed = try HL7v2Message(text.hasSuffix("\r") ? text : text + "\r")
        } catch {
            try await quarantineInbound(
                sealed, problem: error, type: nil, channel: channel, sourceName: sourceName, vault: vault)
            return Self.receipt("AR", "message cannot be read: \(error.description)", for: nil)
        }
        do {
            _ = try HL7v2Mapper.record(of: parsed)
        } catch {
            try await quarantineInbound(
                sealed, problem: error, type: Self.messageType(parsed), channel: channel,
                sourceName: sourceName,
                vault: vault)
            return Self.receipt("AE", "kept in quarantine: \(error.description)", for: parsed)
        }
        _ = try await store.write {
            try $0.saveInboundMessage(channel: Self.channel(sourceName), sealed: sealed, keyID: vault.key.id)
        }
        return Self.receipt("AA", "stored", for: parsed)
    }

    private func quarantineInbound(
        _ sealed: Data, problem: RecordProblem, type: String?, channel: String, sourceName: String,
        vault: IdentityVault
    ) async throws {
        try await store.write {
            try $0.quarantine(
                QuarantineEntry(
                    dataLoadID: nil, sourceName: sourceName, sourceFile: channel,
                    sourceLocation: "live message",
                    recordType: type, reasonCode: problem.reason.rawValue, reason: problem.detail,
                    recordCiphertext: sealed, keyID: vault.key.id))
        }
    }

    static func messageType(_ message: HL7v2Message) -> String {
        message.messageType?.description ?? "HL7 v2 message"
    }

    /// The inbox channel of a source: each listener loads only its own source's messages.
    static func channel(_ sourceName: String) -> String { "mllp:\(sourceName)" }

    /// `YYYYMMDDHHMMSS` in UTC.
    static func hl7Timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(
            format: "%04d%02d%02d%02d%02d%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0,
            c.minute ?? 0,
            c.second ?? 0)
    }

    /// An HL7 ACK for `message` (MSA-2 echoes its control id).
    static func receipt(_ code: String, _ text: String, for message: HL7v2Message?) -> InboundReceipt {
        let now = Self.hl7Timestamp(Date())
        let control = message?.controlID ?? ""
        let version = message?.version ?? "2.5.1"
        let trigger = message?.messageType?.trigger ?? ""
        let safeText = text.replacingOccurrences(of: "|", with: " ").replacingOccurrences(of: "\r", with: " ")
            .replacingOccurrences(of: "^", with: " ").replacingOccurrences(of: "~", with: " ")
            .replacingOccurrences(of: "\\", with: "/").replacingOccurrences(of: "&", with: " ")
        var ack =
            "MSH|^~\\&|PMAP|PMAP|\(message?.header.value(field: 3) ?? "")|\(message?.sendingFacility ?? "")|\(now)||ACK^\(trigger)^ACK|ACK\(UUID().uuidString.prefix(12))|P|\(version)\r"
        ack += "MSA|\(code)|\(control)|\(String(safeText.prefix(80)))\r"
        if code != "AA" {
            ack += "ERR|||\(code == "AR" ? "102" : "207")|E||||\(String(safeText.prefix(200)))\r"
        }
        return InboundReceipt(code: code, text: text, acknowledgement: ack)
    }

    /// Loads stored inbound messages (oldest first, in batches), each batch in one transaction
    /// that also marks its messages loaded or quarantined, so a crash loses nothing and loads
    /// nothing twice. Returns the reconciliation.
    public func loadInboundMessages(
        _ context: AccessContext, vault: IdentityVault, sourceName: String, batchSize: Int = 500
    ) async throws -> IngestReport {
        var report = IngestReport()
        let channel = Self.channel(sourceName)
        let waiting = try await store.write {
            try $0.inboundMessages(state: "received", channel: channel, limit: 1)
        }
        guard !waiting.isEmpty else { return report }
        let dataLoadID = try await store.write { try $0.startDataLoad(sourceName: sourceName) }
        report.dataLoadID = dataLoadID
        let writer = RecordWriter(sourceName: sourceName, vault: vault, dataLoadID: dataLoadID)
        let run = try IngestRun(
            platform: self, request: IngestRequest(paths: [], sourceName: sourceName), vault: vault,
            writer: writer,
            omop: OMOPCSVIngester(sourceName: sourceName, vault: vault, dataLoadID: dataLoadID),
            progress: { _ in })
        var file = IngestReport.FileReport(path: "mllp", format: .hl7v2)
        // Each batch is listed, opened, loaded and marked in one transaction: two loaders never
        // take the same message, and a crash leaves it waiting.
        while true {
            let counts = try await store.write { storeWriter -> BatchCounts? in
                let messages = try storeWriter.inboundMessages(
                    state: "received", channel: channel, limit: batchSize)
                guard !messages.isEmpty else { return nil }
                var records: [PendingRecord] = []
                var opened: [Int64] = []
                var unreadable = 0
                for message in messages {
                    guard let plaintext = try? vault.open(message.sealed) else {
                        // Sealed under another key: kept, marked, and never blocking the others.
                        try storeWriter.markInboundMessage(
                            id: message.id, state: "unreadable", dataLoadID: dataLoadID)
                        unreadable += 1
                        continue
                    }
                    opened.append(message.id)
                    records.append(
                        HL7v2FileReader.record(
                            HL7v2RawMessage(
                                text: String(decoding: plaintext, as: UTF8.self), ordinal: Int(message.id),
                                line: 0),
                            location: "\(message.channel) message \(message.id)"))
                }
                var counts =
                    records.isEmpty ? BatchCounts() : try run.write(records, file: channel, storeWriter)
                for id in opened {
                    try storeWriter.markInboundMessage(id: id, state: "processed", dataLoadID: dataLoadID)
                }
                counts.quarantined += unreadable
                if unreadable > 0 { counts.reasons["unreadable (wrong key)", default: 0] += unreadable }
                return counts
            }
            guard let counts else { break }
            file.add(counts)
        }
        report.files.append(file)
        for (reason, count) in file.quarantineReasonCounts {
            report.quarantineReasons[reason, default: 0] += count
        }
        for (table, rows) in writer.rowsByTable { report.rowsByTable[table, default: 0] += rows }
        report.personsRebuilt = try await rebuildDirtyPersons(includeAllOMOPPersons: [])
        try await audit(
            context, chain: context.chain, project: nil, action: "ingest.mllp",
            target: "source \(sourceName)",
            rows: report.loaded, allowed: true, reason: "listener started by user \(context.actor.userID)")
        let final = report
        try await store.write {
            try $0.finishDataLoad(
                id: dataLoadID, read: final.read, loaded: final.loaded, quarantined: final.quarantined,
                summaryJSON: "{\"duplicates\":\(final.duplicates),\"channel\":\"mllp\"}")
        }
        return report
    }
}
