/// The law a DPS runs under (DOMAIN §2): its deadlines, notices and the words used for it differ.
public enum Regime: String, CaseIterable, Codable, Sendable {
    case pcr2015, pa2023

    public var label: String {
        switch self {
        case .pcr2015: "PCR 2015 dynamic purchasing system (regulation 34), Light Touch Regime"
        case .pa2023: "Procurement Act 2023 dynamic market (sections 34 to 40)"
        }
    }
}
