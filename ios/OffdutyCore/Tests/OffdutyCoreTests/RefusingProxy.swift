// An HTTP proxy in front of the demo server that answers one kind of request (a method and a
// path) with a 422 problem while `refusing` is set, closes every connection unanswered while
// `offline` is set, and relays everything else byte for byte.
// Plain POSIX sockets (Foundation has no HTTP server on Linux): one thread accepts, one thread
// per connection; every relayed request goes upstream with `Connection: close`, so the server
// closes after its answer and the core's client opens a new connection for the next request.
// The Kotlin screen tests use the same refusals (tests/kotlin/ScreenTestSupport.kt).

import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

final class RefusingProxy: @unchecked Sendable {
    /// What the proxy answers in place of the server.
    struct Refusal {
        let method: String
        let path: String
        let problem: String
    }

    /// The problem of a refused action batch: its `index` names the first action, which the
    /// core then wedges.
    static let actionRefusal = "this server cannot read the action"
    static let actions = Refusal(
        method: "POST", path: "/v1/actions",
        problem: #"{"type":"https://offduty.dev/problems/validation","title":"Invalid request","status":422,"#
            + #""detail":"\#(actionRefusal)","field":"actions[0].action","code":"bad_format","index":0}"#
    )
    /// The problem of refused notification preferences.
    static let preferencesRefusal = "quiet hours may not cover the call-out window"
    static let preferences = Refusal(
        method: "PUT", path: "/v1/preferences",
        problem: #"{"type":"https://offduty.dev/problems/validation","title":"Invalid request","status":422,"#
            + #""detail":"\#(preferencesRefusal)","field":"quiet_hours[0]","code":"inconsistent"}"#
    )

    private let refusal: Refusal
    private let upstreamPort: UInt16
    private let listener: Int32
    private let lock = NSLock()
    private var refuse = false
    private var dropping = false
    private var stopped = false
    let port: UInt16

    var url: String { "http://127.0.0.1:\(port)" }

    var refusing: Bool {
        get { lock.lock(); defer { lock.unlock() }; return refuse }
        set { lock.lock(); defer { lock.unlock() }; refuse = newValue }
    }

    /// While set, every connection is closed unanswered: to the phone, the network is gone.
    var offline: Bool {
        get { lock.lock(); defer { lock.unlock() }; return dropping }
        set { lock.lock(); defer { lock.unlock() }; dropping = newValue }
    }

    /// A proxy for `upstream` (`http://127.0.0.1:PORT`) on a free port of 127.0.0.1.
    init(upstream: String, refusing refusal: Refusal) throws {
        guard let port = URL(string: upstream)?.port else {
            throw DemoServerError.failed("no port in \(upstream)")
        }
        let fd = socket(AF_INET, Self.stream, 0)
        guard fd >= 0 else { throw DemoServerError.failed("socket: \(errno)") }
        var address = Self.loopback(port: 0)
        var size = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
                bind(fd, pointer, size) == 0 && listen(fd, 64) == 0 && getsockname(fd, pointer, &size) == 0
            }
        }
        guard bound else {
            close(fd)
            throw DemoServerError.failed("cannot listen on 127.0.0.1: \(errno)")
        }
        self.refusal = refusal
        upstreamPort = UInt16(port)
        listener = fd
        self.port = UInt16(bigEndian: address.sin_port)
        Thread.detachNewThread { [self] in
            while true {
                let client = accept(fd, nil, nil)
                if client < 0 {
                    if errno == EINTR { continue }
                    return // stopped
                }
                Self.noSigPipe(client)
                Thread.detachNewThread { [self] in
                    handle(client)
                    close(client)
                }
            }
        }
    }

    /// Stops accepting (connections under way finish). Once: the descriptor could be another
    /// socket's after its close.
    func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    // MARK: - One connection, one request

    private func handle(_ client: Int32) {
        if offline { return }
        guard let (head, body) = readRequest(client) else { return }
        let lines = head.components(separatedBy: "\r\n")
        let parts = lines[0].split(separator: " ")
        guard parts.count >= 2 else { return }
        let method = String(parts[0])
        let path = String(parts[1].split(separator: "?", maxSplits: 1)[0])

        if refusing, method == refusal.method, path == refusal.path {
            let problem = Data(refusal.problem.utf8)
            let answer = "HTTP/1.1 422 Unprocessable Entity\r\nContent-Type: application/problem+json\r\n"
                + "Content-Length: \(problem.count)\r\nConnection: close\r\n\r\n"
            sendAll(client, Data(answer.utf8) + problem)
            return
        }

        // Upstream, with the connection closed after the answer.
        var relayed = lines.filter { !$0.lowercased().hasPrefix("connection:") && !$0.isEmpty }
        relayed.append("Connection: close")
        let request = Data((relayed.joined(separator: "\r\n") + "\r\n\r\n").utf8) + body
        let upstream = socket(AF_INET, Self.stream, 0)
        guard upstream >= 0 else { return }
        defer { close(upstream) }
        Self.noSigPipe(upstream)
        var address = Self.loopback(port: upstreamPort)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected, sendAll(upstream, request) else { return }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(upstream, &buffer, buffer.count, 0)
            if n <= 0 { break }
            guard sendAll(client, Data(buffer[0 ..< n])) else { break }
        }
    }

    /// The request's head (without the blank line) and its body (`Content-Length` bytes).
    private func readRequest(_ fd: Int32) -> (String, Data)? {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        let separator = Data("\r\n\r\n".utf8)
        while data.range(of: separator) == nil {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { return nil }
            data.append(contentsOf: buffer[0 ..< n])
        }
        let end = data.range(of: separator)!
        let head = String(decoding: data[data.startIndex ..< end.lowerBound], as: UTF8.self)
        var body = Data(data[end.upperBound...])
        let length = head.components(separatedBy: "\r\n")
            .first { $0.lowercased().hasPrefix("content-length:") }
            .flatMap { Int($0.split(separator: ":", maxSplits: 1)[1].trimmingCharacters(in: .whitespaces)) } ?? 0
        while body.count < length {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { return nil }
            body.append(contentsOf: buffer[0 ..< n])
        }
        return (head, body)
    }

    @discardableResult
    private func sendAll(_ fd: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Bool in
            var offset = 0
            while offset < raw.count {
                let n = send(fd, raw.baseAddress! + offset, raw.count - offset, Self.noSignal)
                if n <= 0 { return false }
                offset += n
            }
            return true
        }
    }

    // MARK: - What differs between Glibc and Darwin

    #if canImport(Glibc)
    private static let stream = Int32(SOCK_STREAM.rawValue)
    private static let noSignal = Int32(MSG_NOSIGNAL)
    #else
    private static let stream = SOCK_STREAM
    private static let noSignal: Int32 = 0
    #endif

    /// A peer that went away is an error on send, not a SIGPIPE (MSG_NOSIGNAL on Linux).
    private static func noSigPipe(_ fd: Int32) {
        #if canImport(Darwin)
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &on, socklen_t(MemoryLayout<Int32>.size))
        #endif
    }

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        #if canImport(Darwin)
        address.sin_len = UInt8(MemoryLayout<sockaddr_in>.size)
        #endif
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
