import PMAPIngest
import Testing

struct HL7v2DateTimeTests {
    /// Every DTM precision, with the day, the partial date and the sortable form.
    @Test(
        arguments: [
            ("1970", nil, "1970", "19700000000000"),
            ("197005", nil, "1970-05", "19700500000000"),
            ("19700506", "1970-05-06", "1970-05-06", "19700506000000"),
            ("1970050613", "1970-05-06", "1970-05-06", "19700506130000"),
            ("197005061345", "1970-05-06", "1970-05-06", "19700506134500"),
            ("19700506134559", "1970-05-06", "1970-05-06", "19700506134559"),
            ("19700506134559.1234", "1970-05-06", "1970-05-06", "19700506134559.1234"),
            ("19700506134559.5-0500", "1970-05-06", "1970-05-06", "19700506134559.5"),
            ("202402291200+0130", "2024-02-29", "2024-02-29", "20240229120000"),
            (" 20240229 ", "2024-02-29", "2024-02-29", "20240229000000"),
        ] as [(String, String?, String, String)])
    func precisions(_ text: String, _ day: String?, _ partial: String, _ sortable: String) throws {
        let value = try #require(HL7v2DateTime(text))
        #expect(value.day == day)
        #expect(value.partialDate == partial)
        #expect(value.sortable == sortable)
    }

    @Test(arguments: [
        "", "197", "19700", "196203520", "20230229", "20241301", "20240431", "17991231", "22010101",
        "2024010124", "202401011260", "20240101125960", "20240101.5", "2024010112.5", "20240101-05",
        "20240101+2400", "20240101Z", "2024-01-01", "abcd", "20240101120000.",
    ])
    func invalidValuesAreRefused(_ text: String) {
        #expect(HL7v2DateTime(text) == nil)
    }

    @Test func timeZoneIsKeptApart() {
        #expect(HL7v2DateTime("20240101120000-0500")?.zone == "-0500")
        #expect(HL7v2DateTime("20240101120000.25")?.fraction == "25")
        #expect(HL7v2DateTime("20240101")?.zone == nil)
    }
}
