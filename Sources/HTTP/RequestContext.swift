internal import CMicroHTTPD
import Synchronization

/// One request's life on a connection: body collection, the handler's
/// answer (possibly from another thread), and the suspension that waits
/// for it.
final class RequestContext: Sendable {
    enum Phase: ~Copyable {
        /// Headers seen; the body (if any) comes in the next calls.
        case started
        case receiving(body: [UInt8], exceeded: Bool)
        /// The handler has the request; `suspended` once parked.
        case dispatched(suspended: Bool)
        case ready(HTTPResponse)
        case responded
        case closed
    }

    let target: String
    let server: HTTPServer
    private let phase = Mutex(Phase.started)
    private let stream = Mutex<HTTPStream?>(nil)

    init(target: String, server: HTTPServer) {
        self.target = target
        self.server = server
    }

    /// Appends upload data, keeping at most `limit` bytes.
    func receive(_ bytes: UnsafeRawBufferPointer, limit: Int) {
        phase.withLock { phase in
            switch consume phase {
            case .receiving(var body, var exceeded):
                if body.count + bytes.count > limit {
                    exceeded = true
                } else {
                    body.append(contentsOf: bytes)
                }
                phase = .receiving(body: body, exceeded: exceeded)
            case let other:
                phase = other
            }
        }
    }

    enum Step {
        /// The first call announces the headers; answer it and wait.
        case headers
        case dispatch(body: [UInt8], exceeded: Bool)
        case queue(HTTPResponse)
        case wait
    }

    /// Called when the access handler runs with the body complete.
    func nextStep() -> Step {
        phase.withLock { phase in
            switch consume phase {
            case .started:
                phase = .receiving(body: [], exceeded: false)
                return .headers
            case .receiving(let body, let exceeded):
                phase = .dispatched(suspended: false)
                return .dispatch(body: body, exceeded: exceeded)
            case .ready(let response):
                phase = .responded
                return .queue(response)
            case .dispatched(let suspended):
                phase = .dispatched(suspended: suspended)
                return .wait
            case .responded:
                phase = .responded
                return .wait
            case .closed:
                phase = .closed
                return .wait
            }
        }
    }

    /// After the handler returned: take its answer if it gave one already,
    /// otherwise park the connection until it does.
    func responseOrSuspend(_ connection: ConnectionHandle) -> HTTPResponse? {
        phase.withLock { phase in
            switch consume phase {
            case .ready(let response):
                phase = .responded
                return response
            case .dispatched:
                MHD_suspend_connection(connection.pointer)
                server.suspensionBegan()
                phase = .dispatched(suspended: true)
                return nil
            case let other:
                phase = other
                return nil
            }
        }
    }

    /// The handler's answer, from any thread.
    func deliver(_ response: HTTPResponse, connection: ConnectionHandle) {
        let resume: Bool = phase.withLock { phase in
            switch consume phase {
            case .dispatched(let suspended):
                phase = .ready(response)
                return suspended
            case let other:
                phase = other
                return false
            }
        }
        if resume {
            server.suspensionEnded()
            MHD_resume_connection(connection.pointer)
        } else if case .stream(let stream) = response.body, isClosed {
            stream.markClosed()
        }
    }

    private var isClosed: Bool {
        phase.withLock { phase in
            switch phase {
            case .closed: true
            default: false
            }
        }
    }

    func adopt(_ stream: HTTPStream) {
        self.stream.withLock { $0 = stream }
    }

    /// The request is over (answered, or the connection died).
    func complete() {
        phase.withLock { $0 = .closed }
        stream.withLock { $0 }?.markClosed()
    }
}
