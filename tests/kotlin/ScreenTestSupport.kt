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

/** A real `offduty-server serve --demo` on a fresh SQLite file: the one way the JVM tests run
 *  the server (OfficerAppTest, ScreensDemo and the screen test classes), with the coordinator's
 *  HTTP calls and moving a job in time (decision 012). */
class DemoDepartment {
    val baseUrl: String
    private val process: Process
    private val dir: File = Files.createTempDirectory("offduty-kotlin").toFile()
    /** The server's SQLite file (for [moveJob]). */
    val dbFile: File = File(dir, "server.db")
    private val http: HttpClient = HttpClient.newHttpClient()

    init {
        val bin = System.getenv("OFFDUTY_SERVER_BIN") ?: "target/debug/offduty-server"
        process = ProcessBuilder(bin, "serve", "--demo", "--listen", "127.0.0.1:0",
            "--database-url", "sqlite://${dbFile.absolutePath}")
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

    fun coordinatorToken(): String {
        val (s, login) = call("POST", "/v1/auth/login", null,
            """{"email":"coordinator@columbus.demo","password":"$PASSWORD"}""")
        assertEquals(login, 200, s)
        return field(login, "access_token")
    }

    /** Test fixture: moves a job in time in the server's SQLite file, the way the server
     *  changes a job (its version takes the department's next change sequence and the change is
     *  logged, so phones pick it up on sync). Tests cannot wait hours. */
    fun moveJob(jobId: String, startsAgoMinutes: Long, hours: Long) {
        val now = System.currentTimeMillis() * 1000
        val start = now - startsAgoMinutes * 60_000_000
        val end = start + hours * 3_600_000_000
        val script = listOf(
            "import sqlite3,sys",
            "c=sqlite3.connect(sys.argv[1]); c.execute('PRAGMA busy_timeout=10000')",
            "d=c.execute('SELECT department_id FROM jobs WHERE id=?',(sys.argv[4],)).fetchone()[0]",
            "seq=c.execute('UPDATE departments SET change_seq=change_seq+1 WHERE id=? RETURNING change_seq',(d,)).fetchone()[0]",
            "c.execute('UPDATE jobs SET starts_us=?, ends_us=?, version=? WHERE id=?',(int(sys.argv[2]),int(sys.argv[3]),seq,sys.argv[4]))",
            "c.execute(\"INSERT INTO change_log (department_id, seq, entity, entity_id, audience) VALUES (?, ?, 'job', ?, NULL)\",(d,seq,sys.argv[4]))",
            "c.commit()",
        ).joinToString("\n")
        val p = ProcessBuilder("python3", "-c", script, dbFile.absolutePath, "$start", "$end", jobId).inheritIO().start()
        assertEquals(0, p.waitFor())
    }

    /** Posts a first-come job with `slots` slots, `days` from now on the hour; returns its id. */
    fun postJob(days: Long, slots: Int): String {
        val token = coordinatorToken()
        val start = Instant.now().plus(Duration.ofDays(days)).truncatedTo(ChronoUnit.HOURS)
        val (status, body) = call("POST", "/v1/jobs", token, """
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

        /** A string field of a JSON body (the tests read a few ids and tokens). */
        fun field(json: String, name: String): String =
            Regex("\"$name\"\\s*:\\s*\"([^\"]*)\"").find(json)?.groupValues?.get(1)
                ?: error("no \"$name\" in $json")
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

/** An HTTP proxy in front of the server that answers `method path` itself with a 422 problem
 *  while `refuse` is set, the way a stricter server would, and forwards everything else. By
 *  default it refuses action batches (a problem whose `index` names the first action: the core
 *  wedges it). While `offline` is set it drops every request (no network). The one proxy of the
 *  JVM tests (OfficerAppTest, ActivityScreenTest, SettingsScreenTest, the Android shell's
 *  AndroidShellTest). */
class RefusingProxy(
    private val upstream: String,
    private val method: String = "POST",
    private val path: String = "/v1/actions",
    private val problem: String = ACTIONS_PROBLEM,
) {
    val refuse = AtomicBoolean(false)
    /** While set, every request is dropped unanswered (the phone sees no network). */
    val offline = AtomicBoolean(false)
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
        if (offline.get()) {
            ex.close()
            return
        }
        if (refuse.get() && ex.requestMethod == method && ex.requestURI.path == path) {
            val bytes = problem.toByteArray()
            ex.responseHeaders.add("Content-Type", "application/problem+json")
            ex.sendResponseHeaders(422, bytes.size.toLong())
            ex.responseBody.use { it.write(bytes) }
            return
        }
        val b = HttpRequest.newBuilder(URI.create(upstream + ex.requestURI.toString()))
            .timeout(Duration.ofSeconds(30))
            .method(ex.requestMethod, if (body.isEmpty()) HttpRequest.BodyPublishers.noBody()
                else HttpRequest.BodyPublishers.ofByteArray(body))
        for (h in listOf("Authorization", "Content-Type", "Accept-Encoding")) {
            ex.requestHeaders.getFirst(h)?.let { b.header(h, it) }
        }
        val r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray())
        for (h in listOf("Content-Type", "Content-Encoding")) {
            r.headers().firstValue(h).ifPresent { ex.responseHeaders.add(h, it) }
        }
        val out = r.body()
        ex.sendResponseHeaders(r.statusCode(), if (out.isEmpty()) -1 else out.size.toLong())
        ex.responseBody.use { if (out.isNotEmpty()) it.write(out) }
    }

    companion object {
        const val REFUSAL = "this server cannot read the action"
        const val ACTIONS_PROBLEM = """{"type":"https://offduty.dev/problems/validation",
            "title":"Invalid request","status":422,"detail":"$REFUSAL","field":"actions[0].action",
            "code":"bad_format","index":0}"""

        /** A validation problem naming `field` and `code`. */
        fun problem(detail: String, field: String, code: String): String =
            """{"type":"https://offduty.dev/problems/validation","title":"Invalid request",
            "status":422,"detail":"$detail","field":"$field","code":"$code"}"""
    }
}
