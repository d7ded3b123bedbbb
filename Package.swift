// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Rocket",
    products: [
        .executable(name: "rocket", targets: ["rocket"]),
    ],
    targets: [
        // C libraries from Debian's packages, with tiny static inline shims.
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CMicroHTTPD", pkgConfig: "libmicrohttpd", providers: [.apt(["libmicrohttpd-dev"])]),

        // Pure: JSON value, RFC 6901 pointer, RFC 6902 patch. No I/O.
        .target(name: "JSON", swiftSettings: strict),
        // libpq wrapper: connection, parameterised query, LISTEN, typed errors.
        .target(name: "Postgres", dependencies: ["CLibPQ"], swiftSettings: strict),
        // libmicrohttpd wrapper: requests, responses, suspended SSE streams.
        .target(name: "HTTP", dependencies: ["CMicroHTTPD"], swiftSettings: strict),
        // Cursors, batches → patches, filters, the subscriber hub. No libpq.
        .target(name: "ChangeFeed", dependencies: ["JSON"], swiftSettings: strict),
        // The application: configuration, routes, migrations, services.
        .target(
            name: "Rocket",
            dependencies: ["JSON", "Postgres", "HTTP", "ChangeFeed"],
            resources: [.copy("Resources")],
            swiftSettings: strict
        ),
        .executableTarget(name: "rocket", dependencies: ["Rocket"], swiftSettings: strict),

        .testTarget(name: "JSONTests", dependencies: ["JSON"], swiftSettings: strict),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres"], swiftSettings: strict),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP"], swiftSettings: strict),
        .testTarget(name: "ChangeFeedTests", dependencies: ["ChangeFeed", "JSON"], swiftSettings: strict),
        .testTarget(
            name: "RocketTests", dependencies: ["Rocket", "Postgres", "JSON", "ChangeFeed"],
            exclude: ["Golden"], swiftSettings: strict
        ),
    ]
)
