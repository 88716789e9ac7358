import FluentKit
import Foundation

/// One establishment from a public register (GIAS or Ofsted), kept so a provider can fill a form from a URN.
public final class RegisterEntryRecord: Model, @unchecked Sendable {
    public static let schema = "register_entries"

    @ID(custom: "urn", generatedBy: .user) public var id: String?
    @Field(key: "source") public var source: String
    @Field(key: "name") public var name: String
    /// JSON of the domain's `RegisterEntry`.
    @Field(key: "entry_json") public var entryJSON: String

    public init() {}
}

/// A postcode district or sector centroid (ONS Postcode Directory), for distances and placing.
public final class PostcodeCentroidRecord: Model, @unchecked Sendable {
    public static let schema = "postcode_centroids"

    @ID(custom: "code", generatedBy: .user) public var id: String?
    @Field(key: "precision") public var precision: String
    @Field(key: "latitude") public var latitude: Double
    @Field(key: "longitude") public var longitude: Double
    @OptionalField(key: "la_gss_code") public var laGSSCode: String?
    @OptionalField(key: "la_name") public var laName: String?

    public init() {}
}
