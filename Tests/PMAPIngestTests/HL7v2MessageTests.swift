import PMAPIngest
import Testing

struct HL7v2MessageTests {
    static let sample = [
        #"MSH|^~\&|GHH LAB|ELAB-3|GHH OE|BLDG4|200202150930||ORU^R01|CNTRL-3456|P|2.4"#,
        "PID|Field1|Component1^Component2|Component1^Sub-Component1&Sub-Component2^Component3"
            + "|Repeat1~Repeat2",
    ].joined(separator: "\r")

    /// MSH-1 is the field separator itself and MSH-2 the encoding characters, so MSH-9 is the
    /// ninth field as HL7 counts; other segments count from the field after the id.
    @Test func fieldsAreNumberedAsHL7NumbersThem() throws {
        let message = try HL7v2Message(Self.sample)
        let msh = message.header
        #expect(msh.value(field: 1) == "|")
        #expect(msh.value(field: 2) == #"^~\&"#)
        #expect(msh.value(field: 3) == "GHH LAB")
        #expect(msh.value(field: 9) == "ORU" && msh.value(field: 9, component: 2) == "R01")
        #expect(msh.fieldCount == 12)
        #expect(message.messageType == HL7v2MessageType(code: "ORU", trigger: "R01", structure: nil))
        #expect(message.messageType?.description == "ORU^R01")
        #expect(message.controlID == "CNTRL-3456")
        #expect(message.version == "2.4")
        #expect(message.sendingFacility == "ELAB-3")
        #expect(message.timestamp == "200202150930")
        let pid = try #require(message.segment("PID"))
        #expect(pid.value(field: 1) == "Field1")
        #expect(pid.position == 2)
        #expect(pid.fieldCount == 4)
    }

    /// python-hl7's `test_extract` and `test_repetition` on the same message.
    @Test func componentsSubcomponentsAndRepetitions() throws {
        let pid = try #require(try HL7v2Message(Self.sample).segment("PID"))
        #expect(pid.value(field: 2, component: 2) == "Component2")
        #expect(pid.value(field: 3, component: 2) == "Sub-Component1")
        #expect(pid.value(field: 3, component: 2, subcomponent: 2) == "Sub-Component2")
        #expect(pid.value(field: 3, component: 2, subcomponent: 3) == nil)
        #expect(pid.value(field: 3, component: 3) == "Component3")
        #expect(pid.value(field: 3, component: 4) == nil)
        #expect(pid.repetitionCount(field: 4) == 2)
        #expect(pid.value(field: 4, repetition: 1) == "Repeat1")
        #expect(pid.value(field: 4, repetition: 2) == "Repeat2")
        #expect(pid.value(field: 4, repetition: 3) == nil)
        #expect(pid.componentCount(field: 3) == 3)
        #expect(pid.rawValue(field: 3) == "Component1^Sub-Component1&Sub-Component2^Component3")
        #expect(pid.repetitionCount(field: 9) == 0)
        #expect(
            pid.value(field: 0) == nil && pid.value(field: 99) == nil
                && pid.value(field: 1, component: 0) == nil)
    }

    /// python-hl7's `test_nonstandard_separators`: `$` fields, `%` components.
    @Test func delimitersComeFromTheMessage() throws {
        let message = try HL7v2Message("MSH$%~\\&$GHH LAB\rPID$$$555-44-4444$$EVERYWOMAN%EVE%E%%%L")
        let pid = try #require(message.segment("PID"))
        #expect(pid.value(field: 3) == "555-44-4444")
        #expect(
            (1...6).map { pid.value(field: 5, component: $0) ?? "" } == [
                "EVERYWOMAN", "EVE", "E", "", "", "L",
            ])
        #expect(message.header.value(field: 1) == "$")
        // Another full set: `#` fields, `@` components, `*` repetitions, `!` escape, `%` sub-components.
        let custom = try HL7v2Message("MSH#@*!%#A#F\rOBX#1#ST#C@c%x#a!F!b!S!c*second")
        let obx = try #require(custom.segment("OBX"))
        #expect(obx.value(field: 3, component: 2, subcomponent: 2) == "x")
        #expect(obx.value(field: 4) == "a#b@c")
        #expect(obx.value(field: 4, repetition: 2) == "second")
    }

    /// Without a sub-component character (MSH-2 `^~\`) `&` is data; without a repetition
    /// character `~` is.
    @Test func missingEncodingCharactersLeaveThoseCharactersAsData() throws {
        let noSubcomponent = try HL7v2Message("MSH|^~\\|A\rPID|1||A&B^C~D")
        let pid = try #require(noSubcomponent.segment("PID"))
        #expect(pid.value(field: 3) == "A&B")
        #expect(pid.value(field: 3, subcomponent: 2) == nil)
        #expect(pid.value(field: 3, repetition: 2) == "D")
        let componentOnly = try HL7v2Message("MSH|^|A\rPID|1||A&B^C~D\\E\\")
        let only = try #require(componentOnly.segment("PID"))
        #expect(only.value(field: 3, component: 2) == "C~D\\E\\")
        #expect(only.repetitionCount(field: 3) == 1)
    }

    /// HL7 v2.5 section 2.7 escapes, and python-hl7's `test_unescape` values.
    @Test(arguments: [
        (#"a\F\b"#, "a|b"), (#"\S\"#, "^"), (#"\T\"#, "&"), (#"\R\"#, "~"), (#"\E\"#, "\\"),
        (#"line 1\.br\line 2"#, "line 1\nline 2"), (#"\H\text\N\"#, "text"),
        (#"\X20202020\"#, "    "), (#"\Xe1\\Xe9\\Xed\\Xf3\\Xfa\"#, "áéíóú"), (#"\XC3A9\"#, "é"),
        (#"\XC3\\XA9\"#, "é"), (#"\Zlocal\"#, #"\Zlocal\"#), (#"\X4\"#, #"\X4\"#), (#"\XZZ\"#, #"\XZZ\"#),
        (#"open \F"#, #"open \F"#), (#"\\"#, #"\\"#), (#"\S\\T\"#, "^&"),
    ])
    func escapeSequencesAreResolved(_ sent: String, _ expected: String) throws {
        let message = try HL7v2Message("MSH|^~\\&|A\rNTE|1||\(sent)")
        #expect(message.segment("NTE")?.value(field: 3) == expected)
        #expect(message.segment("NTE")?.rawValue(field: 3) == sent)
    }

    @Test func segmentsAreFoundByIdInOrder() throws {
        let message = try HL7v2Message("MSH|^~\\&|A\rOBX|1\rNTE|x\rOBX|2\r\n\nZPI|3")
        #expect(message.segments.map(\.id) == ["MSH", "OBX", "NTE", "OBX", "ZPI"])
        #expect(message.segments("OBX").map { $0.value(field: 1) } == ["1", "2"])
        #expect(message.segment("ZPI")?.value(field: 1) == "3")
        #expect(message.segment("PV1") == nil)
        #expect(try HL7v2Message("MSH|^~\\&|A\nPID|1\r\nPV1|2").segments.map(\.id) == ["MSH", "PID", "PV1"])
    }

    /// Malformed messages are refused with `.malformed` and a message naming the place.
    @Test(arguments: [
        ("PID|1||X", "the message does not start with an MSH segment"),
        ("MSH", "the message does not start with an MSH segment"),
        ("MSH||A", "MSH-1 and MSH-2"),
        ("MSH|^^\\&|A", "MSH-1 and MSH-2"),
        ("MSH|^ \\&|A", "MSH-1 and MSH-2"),
        ("MSHA^~\\&", "MSH-1 and MSH-2"),
        ("MSH|^~\\&#XY|A", "MSH-1 and MSH-2"),
        ("MSH|^~\\&|A\rpid|1", "segment 2 has no valid segment id"),
        ("MSH|^~\\&|A\rPID^1", "segment 2 has no valid segment id"),
        ("MSH|^~\\&|A\rPI", "segment 2 has no valid segment id"),
        ("MSH|^~\\&|A\rPID|1\rMSH|^~\\&|B", "segment 3 is a second MSH"),
    ])
    func malformedMessagesAreRefused(_ text: String, _ detail: String) {
        let problem = #expect(throws: RecordProblem.self) { try HL7v2Message(text) }
        #expect(problem?.reason == .malformed)
        #expect(problem?.detail.hasPrefix(detail) == true, "\(problem?.detail ?? "")")
    }

    /// A truncation character (v2.7 MSH-2 `^~\&#`) is accepted and `\P\` gives it.
    @Test func truncationCharacterIsAccepted() throws {
        let message = try HL7v2Message("MSH|^~\\&#|A\rNTE|1||50\\P\\")
        #expect(message.segment("NTE")?.value(field: 3) == "50#")
    }
}
