#include "eddy/error.hpp"

#include <cctype>

namespace eddy {
namespace {

class category final : public std::error_category {
  public:
    const char* name() const noexcept override { return "eddy"; }

    std::string message(int value) const override {
        switch (static_cast<errc>(value)) {
        case errc::timed_out: return "operation timed out";
        case errc::operation_canceled: return "operation canceled";
        case errc::invalid_address: return "invalid address";
        case errc::would_block: return "operation would block";
        case errc::invalid_argument: return "invalid argument";
        case errc::not_same_stream: return "halves of different streams";
        case errc::unexpected_eof: return "unexpected end of stream";
        case errc::too_large: return "data exceeds the limit";
        case errc::message_truncated: return "datagram larger than the receive buffer";
        case errc::channel_closed: return "channel closed";
        case errc::channel_full: return "channel full";
        }
        return "unknown eddy error";
    }

    std::error_condition default_error_condition(int value) const noexcept override {
        switch (static_cast<errc>(value)) {
        case errc::timed_out: return std::errc::timed_out;
        case errc::operation_canceled: return std::errc::operation_canceled;
        case errc::would_block: return std::errc::operation_would_block;
        case errc::invalid_argument: return std::errc::invalid_argument;
        default: return {value, *this};
        }
    }
};

} // namespace

std::string error::message() const {
    std::string text = code_.message();
    // strerror's sentences start with a capital ("No such file or directory"); lower it unless
    // the word is an acronym ("EOF").
    if (text.size() > 1 && std::isupper(static_cast<unsigned char>(text[0])) &&
        std::islower(static_cast<unsigned char>(text[1])))
        text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
    if (!context_.empty()) text.append(": ").append(context_);
    return text;
}

const std::error_category& eddy_category() noexcept {
    static const category instance;
    return instance;
}

} // namespace eddy
