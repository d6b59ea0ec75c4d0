#pragma once
// One request on its way through the engine middlewares. Each middleware runs on the request's
// shard, the next one only after the previous one's `next()`, wherever that was called from.

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "engineio/detail/http.hpp"
#include "engineio/middleware.hpp"

namespace engineio::detail {

/// Whether the engine that runs the chains is still there: a middleware may keep its `next` past
/// the server's end, and then it must not post to a shard that is gone.
struct engine_liveness {
  std::mutex mutex;
  bool alive = true;
};

struct middleware_outcome {
  enum class kind { proceed, fail, respond } what = kind::proceed;
  unsigned status = 0;
  std::string body;
  http::fields headers;                      // the middlewares' headers that may go out
  std::shared_ptr<request_locals> locals{};  // what they attached to the request
};

class middleware_run : public std::enable_shared_from_this<middleware_run> {
 public:
  /// `middlewares` outlive the run (the engine's, fixed before it starts); `done` runs once, on
  /// `home`.
  middleware_run(const std::vector<request_middleware>& middlewares,
                 std::shared_ptr<engine_liveness> engine, asio::any_io_executor home,
                 request_info info, std::function<void(middleware_outcome)> done);

  void start() { run_step(0); }
  /// The answer of middleware `step`; ignored unless it is the first for the step awaited.
  void answer(std::size_t step, middleware_outcome::kind what, unsigned status, std::string body);

 private:
  void run_step(std::size_t step);

  const std::vector<request_middleware>& middlewares_;
  std::shared_ptr<engine_liveness> engine_;
  asio::any_io_executor home_;
  request_info info_;
  string_pairs headers_;
  std::atomic<std::size_t> awaited_{0};  // the step whose answer counts
  std::function<void(middleware_outcome)> done_;
};

}  // namespace engineio::detail
