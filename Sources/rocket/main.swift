import Foundation
import Rocket

// The executable is thin: parse, then hand over to the Rocket module.
let environment = ProcessInfo.processInfo.environment
let configuration: Configuration
do {
    configuration = try Configuration.parse(arguments: Array(CommandLine.arguments.dropFirst()), environment: environment)
} catch {
    FileHandle.standardError.write(Data("rocket: \(error.description)\n\n\(Configuration.usage)\n".utf8))
    exit(64)
}
exit(Main.run(configuration))
