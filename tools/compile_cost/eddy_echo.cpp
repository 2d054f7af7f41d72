// The README's first server, whole: what a user compiles for an eddy echo server.
#include <eddy/eddy.hpp>

eddy::task<> serve(eddy::net::tcp_stream s) {
    auto [rd, wr] = s.split();
    co_await eddy::io::copy(rd, wr); // until the client's end of stream, or an error
}

int main() {
    eddy::runtime rt{{.cores = 0}}; // 0 = one core per CPU
    return rt.run_on_all_cores([]() -> eddy::task<> {
        auto l = eddy::net::tcp_listener::bind("127.0.0.1:7000", {.reuse_port = true}).value();
        for (;;) {
            auto s = co_await l.accept();
            if (!s) co_return;                 // the runtime is stopping
            eddy::spawn(serve(std::move(*s))); // detached: runs on its own
        }
    });
}
