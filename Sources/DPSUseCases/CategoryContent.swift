import DPSDomain
import DPSPersistence
import Foundation

/// What a category asks of applicants and allows referrals to set: content that generates the application
/// form and its validation (the Digital Marketplace habit of questions as content).
package struct CategoryContent: Codable, Sendable, Equatable {
    package struct PassFail: Codable, Sendable, Equatable {
        package var key: String
        package var text: String
        package var hint: String
        package var requiresEvidence: Bool
        package var evidenceExpires: Bool
        /// What happens when the document lapses: the memberships it supports are suspended (the default, also when
        /// stored content predates the choice), or the contract managers are told and decide.
        package var onLapse: LapseAction?

        package init(
            key: String, text: String, hint: String, requiresEvidence: Bool, evidenceExpires: Bool,
            onLapse: LapseAction? = nil
        ) {
            self.key = key
            self.text = text
            self.hint = hint
            self.requiresEvidence = requiresEvidence
            self.evidenceExpires = evidenceExpires
            self.onLapse = onLapse
        }

        package var lapseAction: LapseAction { onLapse ?? .suspend }
    }
    package enum LapseAction: String, Codable, Sendable, Equatable {
        case suspend, flag
    }
    package struct Statement: Codable, Sendable, Equatable {
        package var key: String
        package var title: String
        package var guidance: String
        package var weight: Int
        package var youngPeoplesPanel: Bool

        package init(key: String, title: String, guidance: String, weight: Int, youngPeoplesPanel: Bool) {
            self.key = key
            self.title = title
            self.guidance = guidance
            self.weight = weight
            self.youngPeoplesPanel = youngPeoplesPanel
        }
    }
    package struct CostLine: Codable, Sendable, Equatable {
        package var key: String
        package var name: String

        package init(key: String, name: String) {
            self.key = key
            self.name = name
        }
    }
    package struct Bound: Codable, Sendable, Equatable {
        package var min: Int
        package var max: Int

        package init(min: Int, max: Int) {
            self.min = min
            self.max = max
        }
    }

    package var passFail: [PassFail]
    package var statements: [Statement]
    package var costLines: [CostLine]
    package var discountTiers: [DiscountTier]
    /// Points each referral criterion may take, keyed by `ReferralCriterion` raw value (DOMAIN §7).
    package var weightBounds: [String: Bound]
    /// False for categories whose settings are not inspected (alternative education, BC 7.3).
    package var requiresInspection: Bool = true

    package init(
        passFail: [PassFail], statements: [Statement], costLines: [CostLine], discountTiers: [DiscountTier],
        weightBounds: [String: Bound], requiresInspection: Bool = true
    ) {
        self.passFail = passFail
        self.statements = statements
        self.costLines = costLines
        self.discountTiers = discountTiers
        self.weightBounds = weightBounds
        self.requiresInspection = requiresInspection
    }

    /// A category's stored content. Text that does not decode is an error (a logged 500), never an empty
    /// category that would quietly ask applicants nothing.
    package static func decode(_ json: String) throws -> CategoryContent {
        do { return try JSONDecoder().decode(CategoryContent.self, from: Data(json.utf8)) } catch {
            throw UseCaseError.undecodable("category content", error)
        }
    }

    package var json: String { Audit.encode(self) }

    package static let empty = CategoryContent(
        passFail: [], statements: [], costLines: [], discountTiers: [], weightBounds: defaultBounds)

    package static var defaultBounds: [String: Bound] {
        Dictionary(
            uniqueKeysWithValues: ReferralCriterion.allCases.map {
                ($0.rawValue, Bound(min: $0.hardBounds.lowerBound, max: $0.hardBounds.upperBound))
            })
    }

    package func spec(name: String, capPence: Int?, minimumInvitees: Int) -> CategoryDefinitionSpec {
        CategoryDefinitionSpec(
            name: name,
            passFail: passFail.map {
                PassFailQuestionSpec(
                    id: $0.key, text: $0.text, requiresEvidence: $0.requiresEvidence,
                    evidenceExpires: $0.evidenceExpires)
            },
            statements: statementSpecs,
            costLineIds: costLines.map(\.key),
            costLineNames: Dictionary(uniqueKeysWithValues: costLines.map { ($0.key, $0.name) }),
            discountTiers: discountTiers,
            affordabilityCapPence: capPence,
            minimumInvitees: minimumInvitees,
            weightBounds: Dictionary(
                uniqueKeysWithValues: weightBounds.compactMap { key, bound in
                    ReferralCriterion(rawValue: key).map { ($0, WeightBound(min: bound.min, max: bound.max)) }
                }),
            requiresInspection: requiresInspection
        )
    }

    package var statementSpecs: [MethodStatementSpec] {
        statements.map {
            MethodStatementSpec(id: $0.key, title: $0.title, weight: $0.weight, youngPeoplesPanel: $0.youngPeoplesPanel)
        }
    }
}

extension CategoryRecord {
    package var content: CategoryContent {
        get throws { try CategoryContent.decode(contentJSON) }
    }

    package func setContent(_ content: CategoryContent) { contentJSON = content.json }

    package var spec: CategoryDefinitionSpec {
        get throws { try content.spec(name: name, capPence: affordabilityCapPence, minimumInvitees: minimumInvitees) }
    }

    /// Problems that stop providers applying for this category (empty when it is ready).
    package var readinessProblems: [FieldError] {
        get throws { CategoryRules.validate(try spec) }
    }
}

/// The default content of the four categories of DOMAIN §3-§4, used when a DPS is created and by the demo.
package enum DefaultCategories {
    package static func passFail(regulated: Bool) -> [CategoryContent.PassFail] {
        var questions: [CategoryContent.PassFail] = [
            .init(
                key: "exclusions",
                text:
                    "Does the organisation confirm that none of the mandatory or discretionary exclusion grounds "
                    + "apply?",
                hint: "For example convictions for fraud, corruption or unpaid taxes.", requiresEvidence: false,
                evidenceExpires: false),
            .init(
                key: "financial", text: "Can the organisation show its financial capability with its latest accounts?",
                hint: "Upload the latest filed accounts.", requiresEvidence: true, evidenceExpires: false),
            .init(
                key: "insurance",
                text:
                    "Does the organisation hold employer's, public and professional liability insurance at the "
                    + "required levels?",
                hint: "Upload the certificate and give its expiry date.", requiresEvidence: true,
                evidenceExpires: true),
            .init(
                key: "compliance",
                text:
                    "Has the organisation been free of health and safety, equalities and environmental enforcement "
                    + "notices for the last 3 years?",
                hint: "", requiresEvidence: false, evidenceExpires: false),
            .init(
                key: "safeguarding",
                text:
                    "Does the establishment have safeguarding, risk and business continuity policies reviewed in the "
                    + "last 12 months?",
                hint: "Upload the safeguarding policy.", requiresEvidence: true, evidenceExpires: false),
            .init(
                key: "data_protection",
                text:
                    "Is the organisation registered with the Information Commissioner and compliant with UK data "
                    + "protection law?",
                hint: "", requiresEvidence: false, evidenceExpires: false),
        ]
        if regulated {
            questions.append(
                .init(
                    key: "registration",
                    text:
                        "Is the establishment registered with the relevant regulator (DfE or Ofsted) for the service "
                        + "it offers?",
                    hint: "", requiresEvidence: false, evidenceExpires: false))
        }
        return questions
    }

    package static let statements: [CategoryContent.Statement] = [
        .init(
            key: "workforce", title: "Workforce",
            guidance: "How you recruit, train, supervise and retain staff with the skills the children need.",
            weight: 30, youngPeoplesPanel: false),
        .init(
            key: "outcomes_framework", title: "Working to the outcomes framework",
            guidance: "How you agree, measure and report progress against each child's outcomes.", weight: 30,
            youngPeoplesPanel: false),
        .init(
            key: "contract_management", title: "Contract management and performance monitoring",
            guidance: "How you report performance, handle concerns and work with commissioners.", weight: 20,
            youngPeoplesPanel: false),
        .init(
            key: "young_people", title: "Young people's question: a day in your setting",
            guidance:
                "Describe, for a young person moving in, what their first week would be like. "
                + "Scored by the young people's panel.",
            weight: 20, youngPeoplesPanel: true),
    ]

    package static let senCostLines: [CategoryContent.CostLine] = [
        ("assessment", "Assessment"), ("premises", "Premises"), ("vehicles", "Vehicles"),
        ("supplies", "Supplies and services"),
        ("education", "Education and classroom"), ("central", "Central and organisational"),
        ("core_staffing", "Establishment core staffing"),
        ("staff_related", "Staff-related costs"), ("general", "General core costs related to children"),
    ].map { CategoryContent.CostLine(key: $0.0, name: $0.1) }

    package static let fosteringCostLines: [CategoryContent.CostLine] = [
        ("carer_allowance", "Foster carer allowance"), ("carer_fee", "Foster carer fee"),
        ("social_work", "Supervising social work"),
        ("support", "Support services and training"), ("overheads", "Agency overheads"),
    ].map { CategoryContent.CostLine(key: $0.0, name: $0.1) }

    package static let residentialCostLines: [CategoryContent.CostLine] = [
        ("care_staffing", "Care staffing"), ("premises", "Premises"), ("management", "Management and registration"),
        ("education_support", "Education support"), ("therapy", "Specific therapies"),
        ("general", "General core costs related to children"),
    ].map { CategoryContent.CostLine(key: $0.0, name: $0.1) }

    package static let tiers = [
        DiscountTier(children: 2, basisPoints: 500), DiscountTier(children: 3, basisPoints: 1000),
    ]

    package struct Definition {
        package var code: String
        package var name: String
        package var description: String
        package var contract: String
        package var capPence: Int?
        package var content: CategoryContent

        package init(
            code: String, name: String, description: String, contract: String, capPence: Int? = nil,
            content: CategoryContent
        ) {
            self.code = code
            self.name = name
            self.description = description
            self.contract = contract
            self.capPence = capPence
            self.content = content
        }
    }

    package static let all: [Definition] = [
        Definition(
            code: "sen-inmss", name: "SEN placements in independent and non-maintained special schools",
            description: "Day and residential placements for children and young people with an EHC plan.",
            contract: "National Schools and Colleges Contract", capPence: 1_500_000,
            content: CategoryContent(
                passFail: passFail(regulated: true), statements: statements, costLines: senCostLines,
                discountTiers: tiers, weightBounds: CategoryContent.defaultBounds)),
        Definition(
            code: "fostering", name: "Independent fostering",
            description: "Placements with foster carers approved by independent fostering agencies.",
            contract: "National Fostering Contract", capPence: 250_000,
            content: CategoryContent(
                passFail: passFail(regulated: true), statements: statements, costLines: fosteringCostLines,
                discountTiers: tiers, weightBounds: CategoryContent.defaultBounds)),
        Definition(
            code: "residential", name: "Children's residential care",
            description: "Placements in registered children's homes.",
            contract: "National Residential Contract", capPence: 1_200_000,
            content: CategoryContent(
                passFail: passFail(regulated: true), statements: statements, costLines: residentialCostLines,
                discountTiers: tiers, weightBounds: CategoryContent.defaultBounds)),
        Definition(
            code: "alternative-education", name: "Alternative education",
            description: "Education settings that are not regulated by Ofsted; different pass/fail criteria apply.",
            contract: "National Schools and Colleges Contract", capPence: nil,
            content: CategoryContent(
                passFail: passFail(regulated: false), statements: statements,
                costLines: senCostLines.prefix(5).map { $0 }, discountTiers: [],
                weightBounds: CategoryContent.defaultBounds, requiresInspection: false)),
    ]
}

extension ApplicationCategoryRecord {
    /// What this part is judged against: the criteria frozen at submission, or (for a draft) the
    /// category's current criteria. Needs `category` loaded.
    package var criteria: CategoryContent {
        get throws { try criteriaJSON.map(CategoryContent.decode) ?? category.content }
    }
}
