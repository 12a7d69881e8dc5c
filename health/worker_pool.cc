#include "health/worker_pool.h"

namespace claw {

void WorkerPool::Start(size_t count, std::chrono::seconds keep_alive_timeout, size_t max_requests_per_connection) {
  for (size_t i = 0; i < count; ++i) {
    adapters_.push_back(std::make_unique<HttpAdapter>(keep_alive_timeout, max_requests_per_connection));
  }
  for (auto& http : adapters_) threads_.emplace_back([this, adapter = http.get()] { WorkLoop(*adapter); });
}

void WorkerPool::Post(Job job) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(std::move(job));
  }
  ready_.notify_one();
}

void WorkerPool::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    queue_.clear();
  }
  ready_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
  adapters_.clear();
}

void WorkerPool::WorkLoop(HttpAdapter& http) {
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job(http);
  }
}

}  // namespace claw
