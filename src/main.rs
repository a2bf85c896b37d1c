fn main() -> std::process::ExitCode {
    authpath::cli::main()
}
