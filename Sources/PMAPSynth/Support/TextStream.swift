/// A buffered stream of UTF-8 text for one output file; full buffers go to `flush`, so a
/// renderer's memory stays flat however many patients it writes.
public final class TextStream {
    private var buffer: [UInt8] = []
    private let capacity: Int
    private let flush: ([UInt8]) throws -> Void
    /// Bytes handed on so far (flushed or buffered).
    public private(set) var byteCount = 0

    /// A stream that hands `capacity`-sized chunks to `flush`.
    public init(capacity: Int = 1 << 20, flush: @escaping ([UInt8]) throws -> Void) {
        self.capacity = capacity
        self.flush = flush
        buffer.reserveCapacity(capacity + 4096)
    }

    /// Appends text.
    public func write(_ text: String) throws {
        var text = text
        text.withUTF8 { buffer.append(contentsOf: $0) }
        byteCount += text.utf8.count
        if buffer.count >= capacity { try drain() }
    }

    /// Hands every buffered byte to `flush`.
    public func drain() throws {
        guard !buffer.isEmpty else { return }
        try flush(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}

/// Where the generator's files go: one ``TextStream`` per relative path (`fhir/Patient.ndjson`).
public protocol SynthSink: AnyObject {
    /// The stream for `path`, created on first use.
    func stream(_ path: String) throws -> TextStream
}
