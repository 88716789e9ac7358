import DPSDomain
import DPSUseCases
import Foundation
import Vapor

/// `dps evaluate FILE`: re-runs an evaluation from its JSON snapshot with the same engine the server
/// uses, so anyone (an officer, a provider, an auditor) can check a ranking. The format is described in
/// docs/evaluation-format.md.
///
/// Prints the result JSON on standard output. Invalid input prints one line per problem on standard
/// error, `error: <field>: <message> [<rule>]`, and exits with status 1; so does a file that cannot be
/// read. It never touches the database.
struct EvaluateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        /// `-` is accepted in code, but ConsoleKit reads any word starting with `-` as an option, so
        /// from a shell standard input is `/dev/stdin`.
        @Argument(name: "file", help: "The evaluation input JSON file (/dev/stdin to read standard input)")
        var file: String
    }

    var help: String {
        "Evaluates a referral's bids from an input JSON file (/dev/stdin for standard input) "
            + "and prints the result JSON."
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let data: Data
        switch Self.read(signature.file) {
        case .success(let read): data = read
        case .failure(let problem): Self.fail([problem.text])
        }
        switch Self.evaluate(data) {
        case .success(let output):
            var bytes = output
            bytes.append(0x0A)
            FileHandle.standardOutput.write(bytes)
        case .failure(let problems):
            Self.fail(problems.map { "\($0.field): \($0.message) [\($0.rule)]" })
        }
    }

    /// The file's bytes, or a one-line reason it could not be read.
    static func read(_ path: String) -> Result<Data, ReadProblem> {
        if path == "-" { return .success(FileHandle.standardInput.readDataToEndOfFile()) }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return .failure(ReadProblem(text: "\(path): no such file"))
        }
        guard !isDirectory.boolValue else { return .failure(ReadProblem(text: "\(path): is a folder, not a file")) }
        do {
            // Through a file handle rather than Data(contentsOf:), so pipes such as /dev/stdin or a
            // shell's <(…) read to the end as well.
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            return .success(try handle.readToEnd() ?? Data())
        } catch {
            return .failure(ReadProblem(text: "\(path): cannot be read (\(error.localizedDescription))"))
        }
    }

    struct ReadProblem: Error, CustomStringConvertible {
        var text: String
        var description: String { text }
    }

    /// The result JSON, or every problem with the input (the first being the one the engine stops at).
    ///
    /// `EvaluationJSON.evaluate` stops at the first problem; when the JSON itself is readable the
    /// engine's `validate` lists them all, so one run shows everything that needs fixing.
    static func evaluate(_ data: Data) -> Result<Data, EvaluationErrors> {
        do {
            return .success(try EvaluationJSON.evaluate(data: data))
        } catch {
            return .failure(EvaluationErrors(all: allProblems(data, first: error)))
        }
    }

    /// Every validation problem of a readable input, starting with `first`; just `first` otherwise.
    static func allProblems(_ data: Data, first: EvaluationError) -> [EvaluationError] {
        guard first.rule != "invalid-json", first.rule != "encoding",
            let input = try? EvaluationJSON.decodeInput(data)
        else { return [first] }
        let problems = EvaluationEngine.validate(input)
        return problems.first == first ? problems : [first]
    }

    struct EvaluationErrors: Error {
        var all: [EvaluationError]
        func map<T>(_ transform: (EvaluationError) -> T) -> [T] { all.map(transform) }
    }

    /// Prints each line as `error: …` on standard error and exits with status 1.
    ///
    /// Exiting here (rather than throwing) keeps the output to the one clear message: a thrown error
    /// would also be logged by the executable's error handler on standard output, mixing with results.
    static func fail(_ lines: [String]) -> Never {
        let text = lines.map { "error: \($0)\n" }.joined()
        FileHandle.standardError.write(Data(text.utf8))
        exit(1)
    }
}
