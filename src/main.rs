// The estate's join and the importers allocate and free millions of small maps and strings
// on several threads; glibc's allocator spent about 40% of an estate import in malloc, free
// and fresh pages.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    authpath::cli::main()
}
