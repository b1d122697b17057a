import Foundation
import PMAPGovernance
import PMAPStore

/// A count shown to a researcher: suppressed when small.
public struct ResearchCount: Sendable {
    public let projectID: Int64
    public let conceptID: Int64
    public let conceptName: String
    public let table: String
    public let count: DisclosedCount
}

extension Platform {
    /// The differencing defence, per project: an exact count is refused when its population
    /// differs from one already shown to the project by at least one and at most `threshold`
    /// persons ("all with X" against "all with X but one" would reveal that one). Suppressed
    /// counts show nothing exact and are neither checked nor recorded. A refusal is audited.
    func guardAgainstDifferencing(
        _ context: AccessContext, project: Int64, persons: [Int64], disclosed: DisclosedCount, threshold: Int,
        target: String
    ) async throws {
        guard !disclosed.suppressed, threshold > 0 else { return }
        // Checked and recorded in one transaction, so two counts at once cannot both pass.
        let closest = try await store.write { writer -> (disclosureID: Int64, difference: Int)? in
            if let closest = try writer.closestDisclosure(project: project, persons: persons),
                closest.difference <= threshold
            {
                return closest
            }
            _ = try writer.recordDisclosure(project: project, target: target, persons: persons)
            return nil
        }
        if let closest {
            let reason =
                "this result's population differs from one already shown to project \(project) (disclosure \(closest.disclosureID)) by 1 to \(threshold) persons, whom subtraction would reveal"
            try await audit(
                context, chain: context.chain, project: project, action: "research.count", target: target,
                allowed: false, reason: "differencing defence: " + reason)
            throw PMAPError(
                .permissionDenied, reason + "; ask for a population that differs by more, or not at all")
        }
    }
}

extension Platform {
    /// How many consented patients have a concept (or a descendant) in its domain's table,
    /// for a project whose grant covers that domain; small counts are suppressed. Decided by
    /// the gate and audited.
    public func countPatients(
        _ context: AccessContext, project: Int64, concept conceptID: Int64,
        threshold: Int = DisclosureControl.defaultThreshold
    ) async throws -> ResearchCount {
        guard let concept = try await store.concept(ConceptID(conceptID)) else {
            throw PMAPError(.notFound, "there is no concept \(conceptID); find one with pmap vocab search")
        }
        guard let table = ClinicalTable(conceptDomain: concept.domainID) else {
            throw PMAPError(
                .usage,
                "concept \(conceptID) is in domain \(concept.domainID), which holds no patient events; pick a condition, drug, procedure, measurement, observation or device concept"
            )
        }
        let policy = try await policyState(project)
        let target = "count persons with concept \(conceptID) in \(table.name)"
        let authorization = try await authorizeRead(
            context, project: project, policy: policy, domains: [table.domain], action: "research.count",
            target: target)
        let persons = try await store.persons(with: conceptID, in: table, authorization: authorization)
        let count = DisclosureControl.count(persons.count, threshold: threshold)
        try await guardAgainstDifferencing(
            context, project: project, persons: persons, disclosed: count, threshold: threshold,
            target: target)
        try await audit(
            context, chain: context.chain, project: project, action: "research.count", target: target,
            rows: 1,
            allowed: true,
            reason: "grant \(authorization.grantID) covers \(table.domain.rawValue) at aggregate level")
        return ResearchCount(
            projectID: project, conceptID: conceptID, conceptName: concept.name, table: table.name,
            count: count)
    }
}
