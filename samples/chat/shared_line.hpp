// `shared_line`: one line of chat text, written once and queued to many clients of one core
// without copying it. The count of its holders is a plain integer, not an atomic: a
// shared_line never leaves the core that made it (text for another core travels as a
// std::string, see fan_out.hpp), so no two threads ever touch the count.
//
//     const auto line = shared_line::concat({name, ": ", text, "\n"});   // one allocation
//     for (auto* c : members) c->send(line);                             // a count + 1 each
//     write(line.text());
#pragma once

#include "eddy/eddy.hpp"

#include <cassert>
#include <cstddef>
#include <cstring>
#include <initializer_list>
#include <new>
#include <string_view>
#include <utility>

namespace eddy::samples::chat {

class shared_line {
  public:
    /// The pieces, one after the other, in one allocation.
    static shared_line concat(std::initializer_list<std::string_view> pieces) {
        std::size_t size = 0;
        for (auto p : pieces)
            size += p.size();
        shared_line line(size);
        char* out = line.rep_->data();
        for (auto p : pieces) {
            std::memcpy(out, p.data(), p.size());
            out += p.size();
        }
        return line;
    }

    shared_line(const shared_line& o) noexcept : rep_(o.rep_) {
        check_core();
        ++rep_->holders;
    }
    shared_line(shared_line&& o) noexcept : rep_(std::exchange(o.rep_, nullptr)) {}
    shared_line& operator=(shared_line o) noexcept {
        std::swap(rep_, o.rep_);
        return *this;
    }
    ~shared_line() {
        if (!rep_) return;
        check_core();
        if (--rep_->holders == 0) {
            rep_->~rep();
            ::operator delete(rep_);
        }
    }

    std::string_view text() const noexcept { return {rep_->data(), rep_->size}; }

  private:
    // The count and the size, followed by the bytes.
    struct rep {
        std::size_t holders = 1;
        std::size_t size = 0;
#ifndef NDEBUG
        std::size_t core = eddy::current_core();
#endif
        char* data() noexcept {
            return reinterpret_cast<char*>(this + 1);
        }
    };

    explicit shared_line(std::size_t size)
        : rep_(new (::operator new(sizeof(rep) + size)) rep{.size = size}) {}

    void check_core() const noexcept {
#ifndef NDEBUG
        assert(rep_->core == eddy::current_core() && "a shared_line left the core that made it");
#endif
    }

    rep* rep_;
};

} // namespace eddy::samples::chat
