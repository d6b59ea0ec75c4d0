#include "engineio/detail/middleware_chain.hpp"

#include <boost/asio/post.hpp>

#include <limits>

#include "engineio/detail/http_routes.hpp"
#include "engineio/log.hpp"

namespace engineio {

void middleware_next::operator()() const {
  run_->answer(step_, detail::middleware_outcome::kind::proceed, 0, {});
}

void middleware_next::fail() const {
  run_->answer(step_, detail::middleware_outcome::kind::fail, 0, {});
}

void middleware_next::respond(unsigned status, std::string body) const {
  // No interim status; and 204 and 304 have no body.
  if (status < 200 || status > 999) return fail();
  if (status == 204 || status == 304) body.clear();
  run_->answer(step_, detail::middleware_outcome::kind::respond, status, std::move(body));
}

namespace detail {
namespace {
constexpr auto answered = std::numeric_limits<std::size_t>::max();
}

middleware_run::middleware_run(const std::vector<request_middleware>& middlewares,
                               std::shared_ptr<engine_liveness> engine, asio::any_io_executor home,
                               request_info info, std::function<void(middleware_outcome)> done)
    : middlewares_(middlewares),
      engine_(std::move(engine)),
      home_(std::move(home)),
      info_(std::move(info)),
      done_(std::move(done)) {}

void middleware_run::run_step(std::size_t step) {
  bool returned = false;
  guarded("engine middleware", [&] {
    middlewares_[step](info_, headers_, middleware_next(shared_from_this(), step));
    returned = true;
  });
  if (!returned) answer(step, middleware_outcome::kind::fail, 0, {});
}

void middleware_run::answer(std::size_t step, middleware_outcome::kind what, unsigned status,
                            std::string body) {
  auto expected = step;
  if (!awaited_.compare_exchange_strong(expected, answered)) return;  // not this step's first
  // Always through the shard's queue: a middleware may answer from its own thread, and one that
  // answers at once must not run the rest of the chain inside its own call.
  std::lock_guard lock(engine_->mutex);
  if (!engine_->alive) return;
  asio::post(
      home_, [self = shared_from_this(), step, what, status, body = std::move(body)]() mutable {
        if (what == middleware_outcome::kind::proceed && step + 1 < self->middlewares_.size()) {
          self->awaited_ = step + 1;
          return self->run_step(step + 1);
        }
        middleware_outcome out{what, status, std::move(body), {}, self->info_.locals};
        for (auto [name, value] : self->headers_) {
          if (valid_header(name, value)) {
            out.headers.insert(name, value);
          } else {
            log_warning("an engine middleware set a header with an invalid name or value; dropped");
          }
        }
        guarded("engine middleware answer", [&] { self->done_(std::move(out)); });
      });
}

}  // namespace detail
}  // namespace engineio
