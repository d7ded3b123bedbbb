@testable import Rocket
import Testing

@Suite("Route")
struct RouteTests {
    @Test(arguments: [
        ("/", Route.index),
        ("/health", .health), ("/ready", .ready), ("/metrics", .metrics),
        ("/track", .collection(resource: "track")),
        ("/track/1", .record(resource: "track", key: "1")),
        ("/playlist_track/3,17", .record(resource: "playlist_track", key: "3,17")),
        ("/playlist_track/3,x%252Cy", .record(resource: "playlist_track", key: "3,x%2Cy")),
        ("/a%2Fb/c%2Fd", .record(resource: "a/b", key: "c/d")),
        ("/a%2Fb", .collection(resource: "a/b")),
        ("/x/", .record(resource: "x", key: "")),
        ("/public.track", .collection(resource: "public.track")),
        ("/Server%20Models/%C3%A9%7E1", .record(resource: "Server Models", key: "é~1")),
        ("/a+b/c+d", .record(resource: "a+b", key: "c+d")),
        ("/health/1", .record(resource: "health", key: "1")),
        ("/%68ealth", .health),
    ])
    func routes(path: String, route: Route) {
        #expect(Route(path: Substring(path)) == route)
    }

    @Test(arguments: [
        "", "track", "/a/b/c", "/a/b/", "//1", "//", "/%zz", "/track/%2", "/track/%E9", "/%C3/1",
    ])
    func rejects(path: String) {
        #expect(Route(path: Substring(path)) == nil)
    }
}
