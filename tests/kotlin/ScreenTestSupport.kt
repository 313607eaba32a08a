// What the screen test classes share: a real offduty-server process with the demo department
// (one per test class), a phone app on it, a listener that counts, and a proxy that refuses
// action batches (to wedge an action). Run by scripts/kotlin-test.sh.
package dev.offduty.tests

import dev.offduty.core.OfficerApp
import dev.offduty.core.ScreenListener
import com.sun.net.httpserver.HttpExchange
import com.sun.net.httpserver.HttpServer
import org.junit.Assert.assertEquals
import org.junit.Assert.fail
import java.io.File
import java.net.InetSocketAddress
import java.net.URI
import java.net.URLEncoder
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import java.time.Duration
import java.time.Instant
import java.time.temporal.ChronoUnit
import java.util.Collections
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicBoolean
import java.util.concurrent.atomic.AtomicInteger

/** A real `offduty-server serve --demo` on a fresh SQLite file. */
class DemoDepartment {
    val baseUrl: String
    private val process: Process
    private val dir: File = Files.createTempDirectory("offduty-screens").toFile()
    private val http: HttpClient = HttpClient.newHttpClient()

    init {
        val bin = System.getenv("OFFDUTY_SERVER_BIN") ?: "target/debug/offduty-server"
        val db = File(dir, "server.db")
        process = ProcessBuilder(bin, "serve", "--demo", "--listen", "127.0.0.1:0",
            "--database-url", "sqlite://${db.absolutePath}")
            .redirectError(File(dir, "server.log"))
            .start()
        val out = process.inputStream.bufferedReader()
        var url: String? = null
        val deadline = System.currentTimeMillis() + 60_000
        while (url == null && System.currentTimeMillis() < deadline) {
            val line = out.readLine() ?: break
            url = Regex("listening on (http://\\S+)").find(line)?.groupValues?.get(1)
        }
        baseUrl = url ?: run { fail("server did not start; see $dir/server.log"); "" }
        Thread { out.forEachLine { } }.apply { isDaemon = true; start() }
    }

    fun stop() {
        process.destroy()
        process.waitFor(10, TimeUnit.SECONDS)
    }

    /** A new phone's app on this server (not signed in). */
    fun app(serverUrl: String = baseUrl): OfficerApp =
        OfficerApp(File(Files.createTempDirectory("phone").toFile(), "phone.db").absolutePath,
            serverUrl, JavaSigner(), MemorySecrets(), ShiftedClock())

    fun call(method: String, path: String, token: String?, body: String?): Pair<Int, String> {
        val b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30))
        if (token != null) b.header("Authorization", "Bearer $token")
        if (body != null) b.header("Content-Type", "application/json")
        b.method(method, if (body == null) HttpRequest.BodyPublishers.noBody() else HttpRequest.BodyPublishers.ofString(body))
        val r = http.send(b.build(), HttpResponse.BodyHandlers.ofString())
        return r.statusCode() to r.body()
    }

    private fun field(json: String, name: String): String =
        Regex("\"$name\"\\s*:\\s*\"([^\"]*)\"").find(json)?.groupValues?.get(1) ?: error("no \"$name\" in $json")

    /** Posts a first-come job with `slots` slots, `days` from now on the hour; returns its id. */
    fun postJob(days: Long, slots: Int): String {
        val (s, login) = call("POST", "/v1/auth/login", null,
            """{"email":"coordinator@columbus.demo","password":"$PASSWORD"}""")
        assertEquals(login, 200, s)
        val start = Instant.now().plus(Duration.ofDays(days)).truncatedTo(ChronoUnit.HOURS)
        val (status, body) = call("POST", "/v1/jobs", field(login, "access_token"), """
            {"title":"Kotlin screens detail","customer_name":"Ohio State Athletics",
             "site_name":"Ohio Stadium, Gate 10","address":"411 Woody Hayes Dr, Columbus, OH 43210",
             "location":{"lat":40.0017,"lon":-83.0197},
             "geofence":{"type":"circle","center":{"lat":40.0017,"lon":-83.0197},"radius_m":300.0},
             "starts_at":"$start","ends_at":"${start.plus(Duration.ofHours(4))}","slots":$slots,
             "job_type":"traffic","award_rule":{"type":"first_come"}}""".trimIndent())
        assertEquals(body, 201, status)
        return field(body, "id")
    }

    companion object {
        const val PASSWORD = "offduty-demo-2026"

        fun encode(s: String): String = URLEncoder.encode(s, Charsets.UTF_8)
    }
}

/** Counts how often a screen said it changed, and remembers the threads it was told on
 *  (never the caller's). */
class CountingListener : ScreenListener {
    private val n = AtomicInteger()
    val threads: MutableSet<String> = Collections.synchronizedSet(mutableSetOf())
    override fun changed() {
        n.incrementAndGet()
        threads.add(Thread.currentThread().name)
    }
    fun count(): Int = n.get()
}

/** An HTTP proxy in front of the server that refuses `POST /v1/actions` while `refuse` is set
 *  (a 422 problem whose `index` names the first action: the core wedges it). */
class RefusingProxy(private val upstream: String) {
    val refuse = AtomicBoolean(false)
    private val http: HttpClient = HttpClient.newHttpClient()
    private val server: HttpServer = HttpServer.create(InetSocketAddress("127.0.0.1", 0), 0)
    val url: String get() = "http://127.0.0.1:${server.address.port}"

    init {
        server.createContext("/") { ex: HttpExchange -> handle(ex) }
        server.start()
    }

    fun stop() = server.stop(0)

    private fun handle(ex: HttpExchange) {
        val body = ex.requestBody.readBytes()
        if (refuse.get() && ex.requestMethod == "POST" && ex.requestURI.path == "/v1/actions") {
            val problem = """{"type":"https://offduty.dev/problems/validation","title":"Invalid request",
                "status":422,"detail":"$REFUSAL","field":"actions[0].action",
                "code":"bad_format","index":0}""".toByteArray()
            ex.responseHeaders.add("Content-Type", "application/problem+json")
            ex.sendResponseHeaders(422, problem.size.toLong())
            ex.responseBody.use { it.write(problem) }
            return
        }
        val b = HttpRequest.newBuilder(URI.create(upstream + ex.requestURI.toString()))
            .timeout(Duration.ofSeconds(30))
            .method(ex.requestMethod, if (body.isEmpty()) HttpRequest.BodyPublishers.noBody()
                else HttpRequest.BodyPublishers.ofByteArray(body))
        for (h in listOf("Authorization", "Content-Type")) {
            ex.requestHeaders.getFirst(h)?.let { b.header(h, it) }
        }
        val r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray())
        r.headers().firstValue("Content-Type").ifPresent { ex.responseHeaders.add("Content-Type", it) }
        val out = r.body()
        ex.sendResponseHeaders(r.statusCode(), if (out.isEmpty()) -1 else out.size.toLong())
        ex.responseBody.use { if (out.isNotEmpty()) it.write(out) }
    }

    companion object {
        const val REFUSAL = "this server cannot read the action"
    }
}
