// Echo on a Unix stream socket: core 0 accepts and deals the connections out to every core.
// Its file (for a path, not an @abstract name) is removed when the server stops, if it is
// still the one this server made (../common/server.hpp).
#include "../common/accept_loop.hpp"
#include "echo_server.hpp"
#include "fiber_echo.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>
#include <utility>

namespace eddy::samples::echo {

namespace {

using eddy::net::unix_address;
using eddy::net::unix_listener;
using eddy::net::unix_stream;

/// A connection's fd on its way from core 0 to the core that serves it; closed if it never
/// gets there (the runtime stopped first, or `from_fd` refused it).
class fd_in_transit {
  public:
    explicit fd_in_transit(int fd) noexcept : fd_(fd) {}
    fd_in_transit(fd_in_transit&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    fd_in_transit& operator=(fd_in_transit&&) = delete;
    ~fd_in_transit() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const noexcept { return fd_; }
    /// The stream now owns the fd.
    void arrived() noexcept { fd_ = -1; }

  private:
    int fd_;
};

/// The seed's echo, as over TCP (tcp_echo.cpp).
eddy::task<> serve(unix_stream s) {
    auto [rd, wr] = s.split();
    co_await eddy::io::copy(rd, wr);
}

eddy::task<> serve_moved(fd_in_transit fd, bool fibers) {
    auto s = unix_stream::from_fd(fd.get());
    if (!s) {
        spdlog::warn("core {}: cannot take a connection: {}", eddy::current_core(),
                     s.error().message());
        co_return;
    }
    fd.arrived();
    serve_connection(std::move(*s), fibers, serve);
}

/// Deals connections out to the cores in turn, this one (core 0) included: one listener on
/// a path cannot be shared with SO_REUSEPORT, so core 0 accepts for all.
class dealer {
  public:
    explicit dealer(bool fibers) noexcept : fibers_(fibers) {}
    void operator()(unix_stream s) {
        const std::size_t core = next_++ % eddy::core_count();
        if (core == eddy::current_core())
            serve_connection(std::move(s), fibers_, serve);
        else
            eddy::spawn_on(core, serve_moved(fd_in_transit(std::move(s).into_fd()), fibers_));
    }

  private:
    bool fibers_;
    std::size_t next_ = 0;
};

} // namespace

int serve_unix(const settings& s) {
    return run_server(
        s.server,
        [&]() -> eddy::task<eddy::result<unix_listener>> {
            co_return unix_listener::bind(s.unix_path);
        },
        [fibers = s.fibers](unix_listener& listener, unix_address) -> eddy::task<> {
            if (eddy::current_core() == 0) co_await accept_loop(listener, dealer(fibers));
        });
}

} // namespace eddy::samples::echo
