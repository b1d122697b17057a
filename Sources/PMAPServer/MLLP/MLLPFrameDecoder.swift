import NIOCore

/// Splits a TCP stream into MLLP frames: `<VT> message <FS><CR>` (0x0B … 0x1C 0x0D). Bytes
/// outside a frame are dropped; a frame over `maximumBytes` closes the connection.
struct MLLPFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer
    static let start: UInt8 = 0x0B
    static let end: [UInt8] = [0x1C, 0x0D]
    let maximumBytes: Int

    struct FrameTooLarge: Error {}

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let readable = buffer.readableBytesView
        guard let startIndex = readable.firstIndex(of: Self.start) else {
            buffer.moveReaderIndex(forwardBy: buffer.readableBytes)  // noise between frames
            return .needMoreData
        }
        buffer.moveReaderIndex(to: startIndex)
        let body = buffer.readableBytesView.dropFirst()
        var cursor = body.startIndex
        while let fs = body[cursor...].firstIndex(of: 0x1C) {
            let next = body.index(after: fs)
            guard next < body.endIndex else { break }
            if body[next] == 0x0D {
                let length = fs - body.startIndex
                buffer.moveReaderIndex(forwardBy: 1)
                let frame = buffer.readSlice(length: length)!
                buffer.moveReaderIndex(forwardBy: 2)
                context.fireChannelRead(wrapInboundOut(frame))
                return .continue
            }
            cursor = next
        }
        if buffer.readableBytes > maximumBytes { throw FrameTooLarge() }
        return .needMoreData
    }
}

/// Frames outgoing acknowledgements.
struct MLLPFrameEncoder: MessageToByteEncoder {
    typealias OutboundIn = ByteBuffer

    func encode(data: ByteBuffer, out: inout ByteBuffer) throws {
        out.writeInteger(MLLPFrameDecoder.start)
        out.writeImmutableBuffer(data)
        out.writeBytes(MLLPFrameDecoder.end)
    }
}
