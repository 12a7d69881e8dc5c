// The health server's workers: a small fixed pool of threads for the work
// that may wait, i.e. requests that need a fresh upstream check and the
// background refreshes of it. Each worker has its own HttpAdapter (the
// adapter is per thread), handed to every job it runs.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "health/http_adapter.h"

namespace claw {

class WorkerPool {
 public:
  using Job = std::function<void(HttpAdapter& http)>;

  WorkerPool() = default;
  ~WorkerPool() { Stop(); }
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Starts `count` workers. Their adapters are built here, one after the
  // other (see SigpipeKeeper in http_adapter.cc); the threads inherit the
  // caller's signal mask.
  void Start(size_t count, std::chrono::seconds keep_alive_timeout, size_t max_requests_per_connection);

  // Runs `job` on the next free worker.
  void Post(Job job);

  // Drops the jobs not yet started, waits for those running, joins every
  // worker; idempotent.
  void Stop();

 private:
  void WorkLoop(HttpAdapter& http);

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  std::vector<std::unique_ptr<HttpAdapter>> adapters_;
  std::vector<std::thread> threads_;
};

}  // namespace claw
