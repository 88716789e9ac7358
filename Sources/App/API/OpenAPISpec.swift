/// The OpenAPI 3.1 description of every operation under /api/v1. A test checks that every API route the
/// app registers appears here, so the document cannot drift from the code.
enum OpenAPISpec {
    static let yaml = [
        base.replacingOccurrences(of: "\n  schemas:\n", with: "\n  schemas:\n" + referralSchemas + "\n"),
        EvaluationRoutes.openAPIPath, referralPaths, OCDSAPI.openAPIPaths,
    ].joined(separator: "\n")

    private static let base = #"""
        openapi: 3.1.0
        info:
          title: Children's Placements DPS API
          version: 0.1.0
          description: |
            JSON API of the open-source Dynamic Purchasing System for children's placements.
            Authenticate with `POST /api/v1/tokens` and send `Authorization: Bearer <token>`.
            Errors are `application/problem+json` (RFC 9457) with an `errors` list naming each field.
        servers:
          - url: /
        components:
          securitySchemes:
            bearer:
              type: http
              scheme: bearer
          responses:
            Problem:
              description: The request could not be completed; see `detail` and `errors`.
              content:
                application/problem+json:
                  schema: { $ref: '#/components/schemas/Problem' }
          schemas:
            Problem:
              type: object
              required: [type, title, status, detail]
              properties:
                type: { type: string }
                title: { type: string }
                status: { type: integer }
                detail: { type: string }
                errors:
                  type: array
                  items:
                    type: object
                    required: [field, message]
                    properties:
                      field: { type: string }
                      message: { type: string }
            DPS:
              type: object
              properties:
                id: { type: string, format: uuid }
                title: { type: string }
                leadAuthority: { type: string }
                regime: { type: string, enum: [pcr2015, pa2023] }
                validityStart: { type: string, format: date }
                validityEnd: { type: string, format: date }
                shortDeadlinesAgreed: { type: boolean }
                parentChoiceBandPoints: { type: integer }
            Category:
              type: object
              properties:
                id: { type: string, format: uuid }
                code: { type: string }
                name: { type: string }
                contractName: { type: string }
                affordabilityCapPence: { type: [integer, "null"] }
                minimumInvitees: { type: integer }
                openForApplications: { type: boolean }
                content: { type: object }
            Establishment:
              type: object
              properties:
                id: { type: string, format: uuid }
                name: { type: string }
                type: { type: string, enum: [school, childrens_home, fostering_agency, alternative_provision] }
                urn: { type: [string, "null"] }
                postcode: { type: string }
                postcodeDistrict: { type: string }
                locationApproximate: { type: boolean }
                ageLow: { type: integer }
                ageHigh: { type: integer }
                genders: { type: string, enum: [mixed, boys, girls] }
                capacity: { type: integer }
                inspectorate: { type: string }
                judgement: { type: string }
                judgementDate: { type: [string, "null"] }
            EstablishmentInput:
              type: object
              description: All values are strings, as typed in the form.
              properties:
                name: { type: string }
                type: { type: string }
                urn: { type: string }
                address: { type: string }
                town: { type: string }
                postcode: { type: string }
                ageLow: { type: string }
                ageHigh: { type: string }
                genders: { type: string }
                capacity: { type: string }
                inspectorate: { type: string, enum: [ofstedSocialCare, ofstedEducation, isi, ciw, other] }
                judgement: { type: string }
                judgementDate: { type: string }
            Application:
              type: object
              properties:
                id: { type: string, format: uuid }
                establishment: { type: string }
                provider: { type: string }
                state: { type: string, enum: [draft, submitted, clarificationRequested, decided, withdrawn] }
                submittedAt: { type: [string, "null"], format: date-time }
                deadline: { type: [string, "null"], format: date }
                extended: { type: boolean }
                categories:
                  type: array
                  items:
                    type: object
                    properties:
                      category: { type: string }
                      decision: { type: string, enum: [pending, admitted, refused] }
                      reason: { type: [string, "null"] }
            Membership:
              type: object
              properties:
                id: { type: string, format: uuid }
                establishmentID: { type: string, format: uuid }
                establishment: { type: string }
                provider: { type: string }
                providerID: { type: string, format: uuid }
                category: { type: string }
                categoryCode: { type: string }
                score: { type: integer, description: Qualification score in hundredths of a point }
                coreTotalPence: { type: integer }
                state: { type: string, enum: [active, suspended, removed, withdrawn] }
                postcodeDistrict: { type: string }
        security:
          - bearer: []
        paths:
          /api/v1/openapi.yaml:
            get:
              operationId: getOpenAPI
              summary: This document.
              security: []
              responses:
                '200': { description: The OpenAPI document, content: { application/yaml: {} } }
          /api/v1/tokens:
            post:
              operationId: createToken
              summary: Exchange an email address and password for a bearer token valid for 30 days.
              security: []
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      required: [email, password]
                      properties:
                        email: { type: string }
                        password: { type: string }
                        label: { type: string }
              responses:
                '200':
                  description: The token.
                  content:
                    application/json:
                      schema:
                        type: object
                        properties:
                          token: { type: string }
                          expiresAt: { type: string, format: date-time }
                          role: { type: string }
                          organisation: { type: string }
                '400': { $ref: '#/components/responses/Problem' }
                '401': { $ref: '#/components/responses/Problem' }
                '403': { $ref: '#/components/responses/Problem' }
                '415': { $ref: '#/components/responses/Problem' }
                '429': { $ref: '#/components/responses/Problem' }
            get:
              operationId: listTokens
              summary: The signed-in person's own API tokens (never the secret itself).
              security: [{ bearer: [] }]
              responses:
                '200':
                  description: Each token's id, label, creation and expiry.
                  content:
                    application/json:
                      schema:
                        type: array
                        items:
                          type: object
                          required: [id, label, expiresAt]
                          properties:
                            id: { type: string, format: uuid }
                            label: { type: string }
                            createdAt: { type: string, format: date-time }
                            expiresAt: { type: string, format: date-time }
                '401': { $ref: '#/components/responses/Problem' }
                '403': { $ref: '#/components/responses/Problem' }
          /api/v1/tokens/{id}:
            delete:
              operationId: revokeToken
              summary: Revokes one of the signed-in person's own tokens (signing out of the pages revokes them all).
              security: [{ bearer: [] }]
              parameters:
                - { name: id, in: path, required: true, schema: { type: string, format: uuid } }
              responses:
                '204': { description: Revoked. }
                '401': { $ref: '#/components/responses/Problem' }
                '403': { $ref: '#/components/responses/Problem' }
                '404': { $ref: '#/components/responses/Problem' }
          /api/v1/dps:
            get:
              operationId: listDPS
              summary: The DPS and its published terms (public).
              security: []
              responses:
                '200': { description: Every DPS, content: { application/json: { schema: { type: array, items: { $ref: \#
        '#/components/schemas/DPS' } } } } }
                '401': { description: 'A bearer token was sent and is not valid (public: send none).', content: { \#
        application/problem+json: { schema: { $ref: '#/components/schemas/Problem' } } } }
          /api/v1/categories:
            get:
              operationId: listCategories
              summary: Every category with its published criteria (public).
              security: []
              responses:
                '200': { description: Categories, content: { application/json: { schema: { type: array, items: { \#
        $ref: '#/components/schemas/Category' } } } } }
                '401': { description: 'A bearer token was sent and is not valid (public: send none).', content: { \#
        application/problem+json: { schema: { $ref: '#/components/schemas/Problem' } } } }
          /api/v1/registers/{urn}:
            get:
              operationId: getRegisterEntry
              summary: An establishment's details from the public registers, by URN.
              parameters:
                - { name: urn, in: path, required: true, schema: { type: string } }
              responses:
                '200': { description: The register entry, content: { application/json: { schema: { type: object } } } }
                '401': { $ref: '#/components/responses/Problem' }
                '403': { $ref: '#/components/responses/Problem' }
                '404': { $ref: '#/components/responses/Problem' }
          /api/v1/establishments:
            get:
              operationId: listEstablishments
              summary: The signed-in provider's establishments.
              responses:
                '200': { description: Establishments, content: { application/json: { schema: { type: array, items: { \#
        $ref: '#/components/schemas/Establishment' } } } } }
                '401': { $ref: '#/components/responses/Problem' }
                '403': { $ref: '#/components/responses/Problem' }
            post:
              operationId: createEstablishment
              summary: Add an establishment (provider administrators).
              requestBody:
                required: true
                content:
                  application/json:
                    schema: { $ref: '#/components/schemas/EstablishmentInput' }
              responses:
                '201': { description: Created, content: { application/json: { schema: { $ref: \#
        '#/components/schemas/Establishment' } } } }
                '400': { $ref: '#/components/responses/Problem' }
                '401': { $ref: '#/components/responses/Problem' }
                '403': { $ref: '#/components/responses/Problem' }
                '415': { $ref: '#/components/responses/Problem' }
                '422': { $ref: '#/components/responses/Problem' }
          /api/v1/applications:
            get:
              operationId: listApplications
              summary: A page of a provider's own applications, or of the lead authority's submitted applications, \#
        oldest first. The Link header names the next and previous pages.
              parameters:
                - { name: page, in: query, required: false, schema: { type: integer, minimum: 1, maximum: 10000 } }
                - { name: limit, in: query, required: false, schema: { type: integer, minimum: 1, maximum: 100 } }
              responses:
                '200': { description: Applications, content: { application/json: { schema: { type: array, items: { \#
        $ref: '#/components/schemas/Application' } } } } }
                '401': { $ref: '#/components/responses/Problem' }
                '403': { $ref: '#/components/responses/Problem' }
                '422': { $ref: '#/components/responses/Problem' }
          /api/v1/applications/{id}:
            get:
              operationId: getApplication
              summary: One application, if the caller may see it.
              parameters:
                - { name: id, in: path, required: true, schema: { type: string, format: uuid } }
              responses:
                '200': { description: The application, content: { application/json: { schema: { $ref: \#
        '#/components/schemas/Application' } } } }
                '401': { $ref: '#/components/responses/Problem' }
                '403': { $ref: '#/components/responses/Problem' }
                '404': { $ref: '#/components/responses/Problem' }
          /api/v1/memberships:
            get:
              operationId: listMemberships
              summary: A page of memberships, newest admitted first; councils see those of the DPSs they \#
        run or belong to, a provider its own. The Link header names the next and previous pages.
              parameters:
                - name: state
                  in: query
                  required: false
                  schema: { type: string, enum: [active, suspended, removed, withdrawn] }
                - { name: q, in: query, required: false, schema: { type: string, maxLength: 100 } }
                - name: sort
                  in: query
                  required: false
                  schema: { type: string, enum: [newest, establishment, provider, score] }
                - { name: page, in: query, required: false, schema: { type: integer, minimum: 1, maximum: 10000 } }
                - { name: limit, in: query, required: false, schema: { type: integer, minimum: 1, maximum: 100 } }
              responses:
                '200': { description: Memberships, content: { application/json: { schema: { type: array, items: { \#
        $ref: '#/components/schemas/Membership' } } } } }
                '401': { $ref: '#/components/responses/Problem' }
                '403': { $ref: '#/components/responses/Problem' }
                '422': { $ref: '#/components/responses/Problem' }
          /api/v1/audit/verify:
            get:
              operationId: verifyAudit
              summary: Verify the audit trail's hash chain (auditors, contract managers, administrators).
              description: >-
                The whole chain is verified, but the answer speaks only of the events of the DPSs the caller's
                lead authority runs: their number, the hash of the latest of them, and where the chain breaks
                only when the broken event is one of them.
              responses:
                '200':
                  description: The result.
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [events, valid]
                        properties:
                          events: { type: integer, description: "Events of the caller's DPSs." }
                          valid: { type: boolean }
                          firstBrokenSeq: { type: [integer, "null"] }
                          headHash: { type: [string, "null"], description: "Hash of the latest of those events." }
                          problem: { type: [string, "null"], description: What is wrong, when the chain is broken. }
                '401': { $ref: '#/components/responses/Problem' }
                '403': { $ref: '#/components/responses/Problem' }
        """#
}
