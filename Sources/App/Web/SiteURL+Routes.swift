import DPSUseCases
import Foundation
import Vapor

extension SiteURL {
    /// The route pattern the app registers: the values become named parameters (`:id`, `:partID`).
    var route: [PathComponent] {
        segments.map {
            switch $0 {
            case .text(let text): return .constant(text)
            case .value(_, let parameter): return .parameter(parameter)
            }
        }
    }
}

extension UUID {
    /// Stands for "any id" where a route is registered from a `SiteURL`.
    static let any = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
}

extension RoutesBuilder {
    @discardableResult
    func get<R: AsyncResponseEncodable>(
        _ url: SiteURL, use handler: @Sendable @escaping (Request) async throws -> R
    ) -> Route {
        get(url.route, use: handler)
    }

    @discardableResult
    func post<R: AsyncResponseEncodable>(
        _ url: SiteURL, use handler: @Sendable @escaping (Request) async throws -> R
    ) -> Route {
        post(url.route, use: handler)
    }
}

extension Request {
    /// A redirect to a page of this site (303 after a form, as everywhere else).
    func redirect(to url: SiteURL) -> Response { redirect(to: url.path) }
}
