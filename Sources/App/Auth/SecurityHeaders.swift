import DPSDomain
import DPSUseCases
import Vapor

/// Headers every response carries, pages, API, downloads and errors alike: no MIME sniffing, no referrer
/// leaking a private link (the parent's choice URL) to another site, no caching unless the route allows it.
/// Outermost, so error responses get them too.
struct SecurityHeadersMiddleware: AsyncMiddleware {
    /// Methods the service answers; anything else (TRACE, CONNECT, …) is 405, never echoed or routed.
    static let methods: [HTTPMethod] = [.GET, .HEAD, .POST, .PUT, .DELETE, .PATCH, .OPTIONS]

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response: Response
        if Self.methods.contains(request.method) {
            response = try await next.respond(to: request)
        } else {
            response = Response(status: .methodNotAllowed)
            response.headers.replaceOrAdd(name: .allow, value: "GET, HEAD, POST, PUT, DELETE")
        }
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "no-referrer")
        if !response.headers.contains(name: .cacheControl) {
            // Pages, API answers and downloads carry tenant data, evidence files and tokens: nothing is stored
            // by a browser or shared cache unless a route says otherwise (the stylesheet does).
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        }
        return response
    }
}
