import Foundation
import GRDB
import PMAPTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A real `pmap listen` on a loopback socket: ACKs follow storage, a SIGKILL loses nothing
/// that was acknowledged, and a restarted listener loads what was stored.
struct MLLPListenerTests {
    /// A running listener subprocess and the port it bound.
    final class Listener {
        let process = Process()
        let port: Int

        init(store: String, key: String, token: String, in folder: TemporaryFolder) throws {
            process.executableURL = CommandLineTests.binary
            process.environment = ProcessInfo.processInfo.environment.merging(["PMAP_TOKEN": token]) { $1 }
            process.arguments = ["listen", "--store", store, "--key-file", key, "--mllp", "127.0.0.1:0"]
            process.currentDirectoryURL = folder.url
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            var text = ""
            let deadline = Date().addingTimeInterval(30)
            while !text.contains("\n") && Date() < deadline {
                let data = out.fileHandleForReading.availableData
                if data.isEmpty { break }
                text += String(decoding: data, as: UTF8.self)
            }
            // "pmap listen: MLLP on 127.0.0.1:PORT, source mllp"
            guard let range = text.range(of: "127.0.0.1:"),
                let port = Int(text[range.upperBound...].prefix { $0.isNumber })
            else {
                process.terminate()
                throw CocoaError(.fileReadUnknown)
            }
            self.port = port
        }

        func kill() {
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// A blocking MLLP client.
    final class Client {
        let socket: Int32

        init(port: Int) throws {
            socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard result == 0 else { throw CocoaError(.fileReadUnknown) }
        }

        deinit { close(socket) }

        func send(_ message: String) {
            let frame = [UInt8(0x0B)] + Array(message.utf8) + [0x1C, 0x0D]
            _ = frame.withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, 0) }
        }

        /// The next acknowledgement's MSA fields (code, control id), nil when the connection closed.
        func acknowledgement() -> (code: String, control: String)? {
            var bytes: [UInt8] = []
            var byte: UInt8 = 0
            while recv(socket, &byte, 1, 0) == 1 {
                bytes.append(byte)
                if bytes.count >= 2 && bytes[bytes.count - 2] == 0x1C && byte == 0x0D { break }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            guard let msa = text.split(separator: "\r").first(where: { $0.hasPrefix("MSA") }) else {
                return nil
            }
            let fields = msa.split(separator: "|", omittingEmptySubsequences: false)
            return (String(fields[1]), fields.count > 2 ? String(fields[2]) : "")
        }
    }

    static func message(_ index: Int) -> String {
        let mrn = "MLLP\(index / 2)"
        let pid =
            "PID|1||\(mrn)^^^HOSP&urn:test:mrn&URI^MR||Doe\(index / 2)^Jo||19600101|F|||1 Road^^Town^MD^21201"
        if index % 2 == 0 {
            return
                "MSH|^~\\&|LAB|HOSP|PMAP|HOSP|20240101080000||ADT^A04^ADT_A01|C\(index)|P|2.5.1\rEVN|A04|20240101080000\r\(pid)\rPV1|1|O\r"
        }
        return
            "MSH|^~\\&|LAB|HOSP|PMAP|HOSP|20240102080000||ORU^R01^ORU_R01|C\(index)|P|2.5.1\r\(pid)\rOBR|1|O\(index)||2857-1^PSA^LN|||20240102\rOBX|1|NM|2857-1^PSA^LN||4.\(index % 10)|ng/mL^ng/mL^UCUM|0-4|N|||F|||20240102\r"
    }

    static func loadedKeys(_ store: String) throws -> Set<String> {
        let queue = try DatabaseQueue(path: store)
        defer { try? queue.close() }
        return try queue.read {
            Set(
                try String.fetchAll(
                    $0, sql: "SELECT record_key FROM pmap_source_record WHERE source_name = 'mllp'"))
        }
    }

    @Test func killedListenerLosesNoAcknowledgedMessage() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let cli = CommandLineTests()
        let token = try cli.initStore(["--store", "s.sqlite", "--key-file", "k.key"], in: folder)
        let total = 60
        let killAfter = Int.random(in: 10...40)
        var acknowledged: [String] = []

        var listener = try Listener(store: "s.sqlite", key: "k.key", token: token, in: folder)
        var client = try Client(port: listener.port)
        var next = 0
        while next < killAfter {
            client.send(Self.message(next))
            let ack = try #require(client.acknowledgement())
            #expect(ack.code == "AA" && ack.control == "C\(next)")
            acknowledged.append("C\(next)")
            next += 1
        }
        // Mid-stream: one more message is sent, and the listener dies before it answers.
        client.send(Self.message(next))
        listener.kill()

        listener = try Listener(store: "s.sqlite", key: "k.key", token: token, in: folder)
        defer { listener.kill() }
        client = try Client(port: listener.port)
        while next < total {
            client.send(Self.message(next))
            let ack = try #require(client.acknowledgement())
            #expect(ack.code == "AA" && ack.control == "C\(next)")
            acknowledged.append("C\(next)")
            next += 1
        }
        // Unreadable and unsupported messages are answered AR and AE, and kept in quarantine.
        client.send("this is not HL7")
        #expect(client.acknowledgement()?.code == "AR")
        client.send("MSH|^~\\&|X|HOSP|PMAP|HOSP|20240101||SIU^S12|S1|P|2.5.1\rSCH|1\r")
        #expect(client.acknowledgement()?.code == "AE")

        let expected = Set(acknowledged.map { "hl7v2:HOSP|\($0)" })
        var loaded = Set<String>()
        for _ in 0..<300 where !expected.isSubset(of: loaded) {
            try await Task.sleep(for: .milliseconds(100))
            loaded = try Self.loadedKeys(folder.file("s.sqlite"))
        }
        #expect(
            expected.isSubset(of: loaded),
            "acknowledged but not loaded: \(expected.subtracting(loaded).sorted())")
        let queue = try DatabaseQueue(path: folder.file("s.sqlite"))
        defer { try? queue.close() }
        func count(_ sql: String) throws -> Int? { try queue.read { try Int.fetchOne($0, sql: sql) } }
        #expect(try count("SELECT count(*) FROM person") == total / 2)
        #expect(try count("SELECT count(*) FROM measurement") == total / 2)
        #expect(try count("SELECT count(*) FROM pmap_quarantine") == 2)
        #expect(try count("SELECT count(*) FROM pmap_inbound_message WHERE state = 'received'") == 0)
    }
}
