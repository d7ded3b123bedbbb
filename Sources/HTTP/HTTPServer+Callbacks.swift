internal import CMicroHTTPD
#if canImport(Glibc)
import Glibc
#endif

// libmicrohttpd's C callbacks. `cls` is the HTTPServer (unretained: the
// server outlives its daemon); `con_cls` is the request's RequestContext,
// retained from the URI callback until the completion callback.

let uriLogger: rocket_mhd_uri_log_callback = { cls, uri, _ in
    guard let cls else { return nil }
    let server = Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue()
    let target = uri.map { String(cString: $0) } ?? "/"
    return Unmanaged.passRetained(RequestContext(target: target, server: server)).toOpaque()
}

let requestCompleted: MHD_RequestCompletedCallback = { _, _, contextPointer, _ in
    guard let contextPointer, let raw = contextPointer.pointee else { return }
    contextPointer.pointee = nil
    let context = Unmanaged<RequestContext>.fromOpaque(raw).takeRetainedValue()
    context.complete()
}

let accessHandler: MHD_AccessHandlerCallback = { cls, connection, _, method, _, upload, uploadSize, contextPointer in
    guard let cls, let connection, let contextPointer, let raw = contextPointer.pointee else {
        return .NO
    }
    let server = Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue()
    let context = Unmanaged<RequestContext>.fromOpaque(raw).takeUnretainedValue()
    let handle = ConnectionHandle(pointer: connection)

    if let uploadSize, uploadSize.pointee > 0 {
        if let upload {
            context.receive(UnsafeRawBufferPointer(start: upload, count: uploadSize.pointee),
                            limit: server.configuration.maxBodySize)
        }
        uploadSize.pointee = 0
        return .YES
    }

    switch context.nextStep() {
    case .headers:
        return .YES
    case .dispatch(let body, let exceeded):
        let request = HTTPRequest(
            method: method.map { String(cString: $0) } ?? "GET",
            target: context.target,
            headers: readHeaders(connection),
            body: body,
            bodyExceededLimit: exceeded
        )
        let writer = HTTPResponseWriter { response in
            context.deliver(response, connection: handle)
        }
        server.handler(request, writer)
        if let response = context.responseOrSuspend(handle) {
            return queue(response, on: handle, context: context)
        }
        return .YES
    case .queue(let response):
        return queue(response, on: handle, context: context)
    case .wait:
        return .YES
    }
}

private func readHeaders(_ connection: OpaquePointer) -> HTTPHeaders {
    final class Box { var headers = HTTPHeaders() }
    let box = Box()
    let iterator: MHD_KeyValueIteratorN = { cls, _, key, keySize, value, valueSize in
        guard let cls, let key else { return .YES }
        let box = Unmanaged<Box>.fromOpaque(cls).takeUnretainedValue()
        let name = String(decoding: UnsafeRawBufferPointer(start: key, count: keySize), as: UTF8.self)
        let text = value.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: valueSize), as: UTF8.self) } ?? ""
        box.headers.add(name: name, value: text)
        return .YES
    }
    withExtendedLifetime(box) {
        _ = MHD_get_connection_values_n(connection, .HEADER_KIND, iterator,
                                        Unmanaged.passUnretained(box).toOpaque())
    }
    return box.headers
}

private func queue(_ response: HTTPResponse, on connection: ConnectionHandle, context: RequestContext) -> MHD_Result {
    let mhdResponse: OpaquePointer?
    switch response.body {
    case .bytes(let bytes):
        mhdResponse = bytes.withUnsafeBytes { buffer in
            rocket_mhd_response_copy(buffer.count, buffer.baseAddress)
        }
    case .stream(let stream):
        context.adopt(stream)
        stream.attach(to: connection)
        let retained = Unmanaged.passRetained(stream).toOpaque()
        mhdResponse = MHD_create_response_from_callback(rocket_mhd_size_unknown(), 4 * 1024, streamReader,
                                                        retained, streamReleased)
        if mhdResponse == nil {
            Unmanaged<HTTPStream>.fromOpaque(retained).release()
        } else {
            context.server.streamBegan()
            let server = context.server
            stream.onClose { server.streamEnded() }
        }
        // Streams live as long as the client listens: no idle timeout.
        rocket_mhd_set_timeout(connection.pointer, 0)
    }
    guard let mhdResponse else { return .NO }
    for (name, value) in response.headers {
        _ = MHD_add_response_header(mhdResponse, name, value)
    }
    let result = MHD_queue_response(connection.pointer, UInt32(clamping: response.status), mhdResponse)
    MHD_destroy_response(mhdResponse)
    return result
}

private let streamReader: MHD_ContentReaderCallback = { cls, _, buffer, max in
    guard let cls, let buffer else { return rocket_mhd_end_with_error() }
    let stream = Unmanaged<HTTPStream>.fromOpaque(cls).takeUnretainedValue()
    return stream.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: max))
}

private let streamReleased: MHD_ContentReaderFreeCallback = { cls in
    guard let cls else { return }
    let stream = Unmanaged<HTTPStream>.fromOpaque(cls).takeRetainedValue()
    stream.markClosed()
}
