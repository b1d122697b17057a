import Foundation
import Testing

@testable import PMAPGovernance

struct DisclosureTests {
    @Test(arguments: [
        (DisclosureLevel.aggregate, false, RiskTier.a, 0),
        (.aggregate, true, .a, 0),
        (.safeHarbor, false, .a, 0),
        (.safeHarbor, true, .b, 1),
        (.dateShifted, false, .b, 1),
        (.dateShifted, true, .b, 1),
        (.limited, false, .c, 2),
        (.limited, true, .c, 2),
        (.identified, false, .c, 2),
        (.identified, true, .c, 2),
    ])
    func riskTierOfEveryLevelInsideAndOutside(
        level: DisclosureLevel, leavesPlatform: Bool, tier: RiskTier, approvals: Int
    ) {
        let assessment = RiskTier.assess(level: level, leavesPlatform: leavesPlatform)
        #expect(assessment.tier == tier && assessment.requiredApprovals == approvals)
        #expect(assessment.reason.hasPrefix("tier \(tier.rawValue): "), "\(assessment.reason)")
        #expect(!assessment.reason.contains("\n"))
        if leavesPlatform && level != .aggregate {
            #expect(assessment.reason.contains("leaving the platform"), "\(assessment.reason)")
        }
    }

    @Test func riskTierReasonsSayWhatIsNeeded() {
        #expect(
            RiskTier.assess(level: .dateShifted, leavesPlatform: false).reason
                == "tier B: date-shifted data needs one data steward's approval")
        #expect(RiskTier.assess(level: .aggregate, leavesPlatform: true).reason.contains("IRB approval"))
        #expect(
            RiskTier.assess(level: .safeHarbor, leavesPlatform: false).reason.contains(
                "stays inside the platform"))
        #expect(RiskTier.assess(level: .limited, leavesPlatform: false).reason.contains("two data stewards"))
    }

    @Test func smallCountsAreSuppressed() {
        #expect(DisclosureControl.count(0) == DisclosedCount(count: 0, suppressed: false, display: "0"))
        #expect(DisclosureControl.count(1) == DisclosedCount(count: nil, suppressed: true, display: "<11"))
        #expect(DisclosureControl.count(10) == DisclosedCount(count: nil, suppressed: true, display: "<11"))
        #expect(DisclosureControl.count(11) == DisclosedCount(count: 11, suppressed: false, display: "11"))
        #expect(DisclosureControl.count(123) == DisclosedCount(count: 123, suppressed: false, display: "123"))
        #expect(DisclosureControl.defaultThreshold == 10)
    }

    @Test func thresholdIsConfigurable() {
        #expect(
            DisclosureControl.count(1, threshold: 5)
                == DisclosedCount(count: nil, suppressed: true, display: "<6"))
        #expect(
            DisclosureControl.count(5, threshold: 5)
                == DisclosedCount(count: nil, suppressed: true, display: "<6"))
        #expect(
            DisclosureControl.count(6, threshold: 5)
                == DisclosedCount(count: 6, suppressed: false, display: "6"))
        #expect(DisclosureControl.count(0, threshold: 5).display == "0")
        #expect(
            DisclosureControl.count(1, threshold: 0)
                == DisclosedCount(count: 1, suppressed: false, display: "1"))
    }

    @Test func apiTokensAreRandomAndWellShaped() throws {
        let tokens = (0..<200).map { _ in APIToken.generate() }
        #expect(Set(tokens).count == tokens.count)
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        for token in tokens {
            #expect(token.hasPrefix("pmap_") && token.count == 5 + 43, "\(token)")
            #expect(token.dropFirst(5).allSatisfy(alphabet.contains), "\(token)")
            #expect(APIToken.isWellFormed(token))
            let base64 =
                token.dropFirst(5).replacingOccurrences(of: "-", with: "+")
                .replacingOccurrences(of: "_", with: "/") + "="
            #expect(Data(base64Encoded: base64)?.count == 32)
        }
        // 200 × 32 random bytes use every base64url character.
        #expect(Set(tokens.flatMap { $0.dropFirst(5) }) == alphabet)
        #expect(!APIToken.isWellFormed("pmap_" + String(repeating: "A", count: 42)))
        #expect(!APIToken.isWellFormed("pmap_" + String(repeating: "A", count: 42) + "="))
        #expect(!APIToken.isWellFormed("pmat_" + String(repeating: "A", count: 43)))
    }

    @Test func apiTokenHashIsSHA256AndStable() {
        #expect(
            AuditChain.hex(APIToken.hash("abc"))
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let token = APIToken.generate()
        #expect(APIToken.hash(token) == APIToken.hash(String(token)) && APIToken.hash(token).count == 32)
        #expect(APIToken.hash(token) != APIToken.hash(APIToken.generate()))
    }
}
