// The Android officer app: Compose screens over the core's screen layer, the platform services,
// and the Rust library built for three ABIs by cargo-ndk (README "Build and run the Android app").
plugins {
    alias(libs.plugins.android.application)
    alias(libs.plugins.kotlin.android)
    alias(libs.plugins.kotlin.compose)
}
// FCM needs the department's google-services.json; without it the app runs, without push.
if (file("google-services.json").exists()) apply(plugin = libs.plugins.google.services.get().pluginId)

val repoRoot: File = rootDir.resolve(providers.gradleProperty("offduty.repoRoot").get()).canonicalFile
val jniOut = layout.buildDirectory.dir("rust/jniLibs")
val rustProfile = providers.gradleProperty("offduty.rustProfile").orElse("release")

val cargoNdk by tasks.registering(Exec::class) {
    description = "Builds liboffduty_ffi.so for arm64-v8a, armeabi-v7a and x86_64 with cargo-ndk"
    workingDir = repoRoot
    inputs.dir(repoRoot.resolve("bindings/src"))
    inputs.dir(repoRoot.resolve("screens/src"))
    inputs.dir(repoRoot.resolve("core/src"))
    inputs.dir(repoRoot.resolve("domain/src"))
    inputs.file(repoRoot.resolve("Cargo.lock"))
    outputs.dir(jniOut)
    val release = rustProfile.get() == "release"
    commandLine(listOf("cargo", "ndk", "-t", "arm64-v8a", "-t", "armeabi-v7a", "-t", "x86_64",
        "--platform", "26", "-o", jniOut.get().asFile.absolutePath,
        "build", "--locked", "-p", "offduty-ffi", "--lib") + if (release) listOf("--release") else listOf())
}

android {
    namespace = "dev.offduty.android"
    compileSdk = 35
    defaultConfig {
        applicationId = "dev.offduty.android"
        minSdk = 26
        targetSdk = 35
        versionCode = 1
        versionName = "0.1.0"
        // The server the app signs in to by default; a department link (offduty://sign-in?server=…)
        // or the sign-in form changes it. Plain http only to loopback: `adb reverse tcp:8080 tcp:8080`.
        buildConfigField("String", "DEFAULT_SERVER",
            "\"" + (providers.gradleProperty("offduty.server").orNull ?: "http://127.0.0.1:8080") + "\"")
        ndk { abiFilters += listOf("arm64-v8a", "armeabi-v7a", "x86_64") }
    }
    buildTypes {
        release {
            isMinifyEnabled = true
            isShrinkResources = true
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"), "proguard-rules.pro")
        }
    }
    buildFeatures {
        compose = true
        buildConfig = true
    }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    kotlinOptions { jvmTarget = "17" }
    sourceSets["main"].jniLibs.srcDir(jniOut)
}

tasks.named("preBuild") { dependsOn(cargoNdk) }

dependencies {
    implementation(project(":core-ui"))
    implementation(libs.jna) { artifact { type = "aar" } }
    implementation(libs.kotlinx.coroutines.android)
    implementation(libs.androidx.core.ktx)
    implementation(libs.androidx.activity.compose)
    implementation(libs.androidx.lifecycle.viewmodel.compose)
    implementation(libs.androidx.lifecycle.runtime.compose)
    implementation(libs.androidx.lifecycle.process)
    implementation(libs.androidx.navigation.compose)
    implementation(libs.androidx.work.runtime.ktx)
    implementation(platform(libs.compose.bom))
    implementation(libs.compose.ui)
    implementation(libs.compose.ui.tooling.preview)
    implementation(libs.compose.material3)
    implementation(libs.compose.material.icons)
    implementation(platform(libs.firebase.bom))
    implementation(libs.firebase.messaging)
}
