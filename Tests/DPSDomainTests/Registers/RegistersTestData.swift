import Foundation

/// Locates the shared public data folder (`<repo parent>/shared/data`) from this file's
/// path, resolving symlinks so it also works from a throwaway package that links the
/// test folder. Tests that need the real files are skipped when it is absent.
enum RegistersTestData {
    static let directory: URL? = {
        let file = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        // <repo>/Tests/DPSDomainTests/Registers/<file>
        let repoRoot = file.deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let data = repoRoot.deletingLastPathComponent().appendingPathComponent("shared/data")
        let probe = data.appendingPathComponent("SOURCES.md").path
        return FileManager.default.fileExists(atPath: probe) ? data : nil
    }()

    static var isAvailable: Bool { directory != nil }

    static let gias = "gias_special_and_independent_schools_england.csv"
    static let ofsted = "ofsted_childrens_social_care_providers_2025-03-31.csv"
    static let districts = "postcode_district_centroids.csv"
    static let sectors = "postcode_sector_centroids.csv"
    static let authorities = "england_childrens_services_authorities.csv"

    static func data(_ name: String) -> Data? {
        guard let directory else { return nil }
        return try? Data(contentsOf: directory.appendingPathComponent(name))
    }
}
