import DPSDomain
import DPSUseCases
import Vapor

struct ActorKey: StorageKey { typealias Value = Actor }

extension Request {
    /// The signed-in actor, if any.
    var actor: Actor? {
        get { storage[ActorKey.self] }
        set { storage[ActorKey.self] = newValue }
    }

    /// The signed-in actor, or 401 (the page layer turns that into a redirect to sign in).
    func requireActor() throws -> Actor {
        guard let actor else { throw Abort(.unauthorized, reason: "Sign in to continue.") }
        return actor
    }
}
