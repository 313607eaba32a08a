// The app's plain-Kotlin layer (decision 032): screen models, navigation, notifications, sync
// glue, over the UniFFI bindings generated here at build time (never committed). No android.*:
// scripts/kotlin-test.sh compiles and tests these same sources with kotlinc on the JVM.
plugins {
    alias(libs.plugins.kotlin.jvm)
}

val repoRoot: File = rootDir.resolve(providers.gradleProperty("offduty.repoRoot").get()).canonicalFile
val bindingsDir = layout.buildDirectory.dir("generated/uniffi/kotlin")

// The host build of the library gives uniffi-bindgen the interface; the phone's .so files are
// built by :app's cargoNdk task from the same sources.
val generateBindings by tasks.registering(Exec::class) {
    description = "Generates the Kotlin bindings of offduty-ffi with uniffi-bindgen"
    workingDir = repoRoot
    inputs.dir(repoRoot.resolve("bindings/src"))
    inputs.dir(repoRoot.resolve("screens/src"))
    inputs.dir(repoRoot.resolve("core/src"))
    inputs.dir(repoRoot.resolve("domain/src"))
    outputs.dir(bindingsDir)
    val out = bindingsDir.get().asFile
    commandLine("sh", "-c",
        "cargo build --locked -p offduty-ffi --bin uniffi-bindgen && " +
            "target/debug/uniffi-bindgen generate target/debug/liboffduty_ffi.so " +
            "--language kotlin --out-dir '${out.absolutePath}' --no-format")
}

kotlin {
    jvmToolchain(17)
    sourceSets["main"].kotlin.srcDir(bindingsDir)
    // The JVM tests reuse the binding tests' support (DemoDepartment, RefusingProxy, …).
    sourceSets["test"].kotlin.srcDir(repoRoot.resolve("tests/kotlin"))
}

tasks.named("compileKotlin") { dependsOn(generateBindings) }

dependencies {
    // The app brings JNA as an AAR (with its Android .so files); the JVM gets the jar.
    compileOnly(libs.jna)
    api(libs.kotlinx.coroutines.core)
    testImplementation(libs.jna)
    testImplementation(libs.junit)
}

tasks.test {
    // Against the host library and a demo server, as scripts/kotlin-test.sh runs them.
    dependsOn(generateBindings)
    systemProperty("jna.library.path", repoRoot.resolve("target/debug").absolutePath)
    environment("OFFDUTY_SERVER_BIN", repoRoot.resolve("target/debug/offduty-server").absolutePath)
    doFirst {
        project.exec { workingDir = repoRoot; commandLine("cargo", "build", "--locked", "-p", "offduty-server") }
    }
}
