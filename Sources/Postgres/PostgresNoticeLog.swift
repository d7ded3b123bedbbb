internal import CLibPQ

/// The connection's notice receiver (internal).
///
/// libpq prints NOTICE/WARNING messages to stderr by default; this receiver drops them instead.
/// It keeps the last FATAL or PANIC message, which is how an idle connection learns why the
/// server is about to close it ("terminating connection due to administrator command", 57P01):
/// libpq hands such an error, arriving outside a query, to the notice receiver.
final class PostgresNoticeLog {
    /// The last FATAL/PANIC error received outside a query.
    private(set) var lastFatal: PostgresError?

    /// Installs this log as `connection`'s notice receiver. The log must outlive the PGconn.
    func install(on connection: OpaquePointer) {
        let context = Unmanaged.passUnretained(self).toOpaque()
        _ = PQsetNoticeReceiver(connection, { context, result in
            guard let context, let result else { return }
            Unmanaged<PostgresNoticeLog>.fromOpaque(context).takeUnretainedValue().receive(result)
        }, context)
    }

    private func receive(_ result: OpaquePointer) {
        let severityField = PQresultErrorField(result, Int32(Unicode.Scalar("V").value))
        guard let severityField else { return }
        let severity = String(cString: severityField)
        if severity == "FATAL" || severity == "PANIC" {
            lastFatal = PostgresError(result: result, code: .connectionLost, query: nil)
        }
    }
}
