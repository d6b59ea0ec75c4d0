// Redis replies (RESP2): the project's reading of a connection (socketio/redis/detail/
// resp_connection.cpp), hiredis's redisReader fed chunk by chunk with each reply copied out of
// hiredis's tree by the project's copy_reply, and each one classified as a pub/sub push or a
// command reply (resp_connection::is_push). resp_connection.cpp is compiled into this target so
// that copy_reply, which is internal to it, is the code under test; resp_connection::read()
// interleaves this loop with Asio I/O, and the loop below repeats its steps.
//
// Input: chunk sizes from the end of the input (FuzzedDataProvider), bytes from the front.

#include <fuzzer/FuzzedDataProvider.h>

#include "../../socketio/redis/detail/resp_connection.cpp"
#include "fuzz_check.hpp"

namespace {

using socketio::redis::detail::reply;

bool is_push(const reply& r) {  // resp_connection::is_push with an on_push handler
  if (r.type != reply::kind::array || r.elements.empty()) return false;
  const auto& head = r.elements[0].str;
  return head == "message" || head == "pmessage" || head == "smessage";
}

std::size_t count(const reply& r) {
  std::size_t n = 1;
  for (const auto& e : r.elements) n += count(e);
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  redisReader* r = socketio::redis::detail::make_reader();
  std::size_t replies = 0;
  while (in.remaining_bytes() > 0) {
    auto chunk = in.ConsumeBytesAsString(in.ConsumeIntegralInRange<std::size_t>(1, 16384));
    if (chunk.empty()) break;
    if (redisReaderFeed(r, chunk.data(), chunk.size()) != REDIS_OK) break;
    bool failed = false;
    while (true) {
      void* raw = nullptr;
      if (redisReaderGetReply(r, &raw) != REDIS_OK) {
        failed = true;  // resp_connection::fail(): the connection is dropped
        break;
      }
      if (!raw) break;
      auto copied = socketio::redis::detail::copy_reply(*static_cast<redisReply*>(raw));
      freeReplyObject(raw);
      FUZZ_CHECK(count(copied) >= 1);
      if (is_push(copied)) FUZZ_CHECK(!copied.elements.empty());
      ++replies;
    }
    if (failed) break;
  }
  redisReaderFree(r);
  (void)replies;
  return 0;
}
