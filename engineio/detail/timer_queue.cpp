#include "engineio/detail/timer_queue.hpp"

namespace engineio::detail {

namespace {
constexpr std::size_t not_queued = static_cast<std::size_t>(-1);
}

class timer_queue::entry final : public timer {
 public:
  explicit entry(std::shared_ptr<timer_queue> queue) : queue_(std::move(queue)) {}
  ~entry() override { queue_->remove(*this); }
  entry(const entry&) = delete;
  entry& operator=(const entry&) = delete;

  void start(std::chrono::milliseconds after, std::function<void()> fn) override {
    fn_ = std::move(fn);
    queue_->schedule(*this, clock::now() + after);
  }

  void cancel() override {
    queue_->remove(*this);
    fn_ = nullptr;
  }

 private:
  friend class timer_queue;
  std::shared_ptr<timer_queue> queue_;
  std::function<void()> fn_;
  clock::time_point deadline_{};
  std::size_t slot_ = not_queued;  // its index in the queue's heap
};

std::shared_ptr<timer_queue> timer_queue::create(const boost::asio::any_io_executor& executor) {
  return std::shared_ptr<timer_queue>(new timer_queue(executor));
}

timer_queue::timer_queue(const boost::asio::any_io_executor& executor) : timer_(executor) {}

timer_factory timer_queue::factory() {
  return [self = shared_from_this()]() -> std::unique_ptr<timer> {
    return std::make_unique<entry>(self);
  };
}

void timer_queue::schedule(entry& e, clock::time_point deadline) {
  e.deadline_ = deadline;
  if (e.slot_ == not_queued) {
    e.slot_ = heap_.size();
    heap_.push_back(&e);
  }
  if (!sift_up(e.slot_)) sift_down(e.slot_);
  arm();
}

// No need to re-arm: a wake-up with nothing due just waits again.
void timer_queue::remove(entry& e) {
  if (e.slot_ == not_queued) return;
  auto slot = e.slot_;
  e.slot_ = not_queued;
  entry* last = heap_.back();
  heap_.pop_back();
  if (last == &e) return;
  place(*last, slot);
  if (!sift_up(slot)) sift_down(slot);
}

void timer_queue::place(entry& e, std::size_t slot) {
  heap_[slot] = &e;
  e.slot_ = slot;
}

bool timer_queue::sift_up(std::size_t slot) {
  auto start = slot;
  entry* e = heap_[slot];
  while (slot > 0) {
    auto parent = (slot - 1) / 2;
    if (heap_[parent]->deadline_ <= e->deadline_) break;
    place(*heap_[parent], slot);
    slot = parent;
  }
  place(*e, slot);
  return slot != start;
}

void timer_queue::sift_down(std::size_t slot) {
  entry* e = heap_[slot];
  for (;;) {
    auto child = 2 * slot + 1;
    if (child >= heap_.size()) break;
    if (child + 1 < heap_.size() && heap_[child + 1]->deadline_ < heap_[child]->deadline_) ++child;
    if (e->deadline_ <= heap_[child]->deadline_) break;
    place(*heap_[child], slot);
    slot = child;
  }
  place(*e, slot);
}

void timer_queue::arm() {
  if (firing_ || heap_.empty()) return;
  auto next = heap_.front()->deadline_;
  if (waiting_ && armed_for_ <= next) return;  // that wake-up comes first anyway
  armed_for_ = next;
  waiting_ = true;
  timer_.expires_at(next);  // cancels the wait for a later deadline, if any
  timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    if (ec == boost::asio::error::operation_aborted) return;  // replaced by an earlier one
    if (auto self = weak.lock()) self->fire();
  });
}

void timer_queue::fire() {
  waiting_ = false;
  firing_ = true;
  auto now = clock::now();
  while (!heap_.empty() && heap_.front()->deadline_ <= now) {
    entry& due = *heap_.front();
    remove(due);
    // The callback may restart this timer or destroy it (and its session).
    auto fn = std::move(due.fn_);
    due.fn_ = nullptr;
    if (fn) fn();
  }
  firing_ = false;
  arm();
}

}  // namespace engineio::detail
