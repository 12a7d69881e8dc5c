// A stand-in for a runtime's own health endpoint, for the health integration
// tests. Listens on 127.0.0.1 (an ephemeral port unless --port), writes the
// port to --port-file once listening, and answers every connection by mode:
//
//   ok      HTTP 200 {"ok":true}
//   fail    HTTP 500
//   slow    HTTP 200 after 3 s (longer than claw-init's 1 s read timeout)
//   tcp     accepts and closes at once (a bare TCP service)
//   file    the status code read from --status-file on each request (the
//           test flips an upstream between passing and failing)
//
// Each request appends one line to --log when given, so a test can count the
// checks claw-init made. Runs until killed.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>

namespace {

std::string g_mode = "ok";
std::string g_status_file;
std::string g_log;
std::mutex g_log_mutex;

int StatusFromFile() {
  std::ifstream in(g_status_file);
  int code = 0;
  in >> code;
  return code >= 100 && code <= 599 ? code : 500;
}

void Serve(int fd) {
  if (g_mode == "tcp") {
    close(fd);
    return;
  }
  std::string request;
  char buf[2048];
  while (request.find("\r\n\r\n") == std::string::npos && request.size() < 65536) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    request.append(buf, static_cast<size_t>(n));
  }
  if (!g_log.empty()) {
    std::lock_guard<std::mutex> lock(g_log_mutex);
    std::ofstream(g_log, std::ios::app) << request.substr(0, request.find("\r\n")) << "\n";
  }
  int status = 200;
  if (g_mode == "fail") status = 500;
  if (g_mode == "file") status = StatusFromFile();
  if (g_mode == "slow") std::this_thread::sleep_for(std::chrono::seconds(3));
  std::string body = status < 300 ? "{\"ok\":true}" : "{\"ok\":false}";
  std::ostringstream reply;
  reply << "HTTP/1.1 " << status << " X\r\nContent-Type: application/json\r\nContent-Length: " << body.size()
        << "\r\nConnection: close\r\n\r\n"
        << body;
  std::string text = reply.str();
  (void)!send(fd, text.data(), text.size(), MSG_NOSIGNAL);
  close(fd);
}

}  // namespace

int main(int argc, char** argv) {
  std::string port_file;
  int port = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--mode") g_mode = argv[i + 1];
    else if (flag == "--port") port = std::atoi(argv[i + 1]);
    else if (flag == "--port-file") port_file = argv[i + 1];
    else if (flag == "--status-file") g_status_file = argv[i + 1];
    else if (flag == "--log") g_log = argv[i + 1];
    else {
      std::fprintf(stderr, "upstream_server: unknown flag %s\n", argv[i]);
      return 2;
    }
  }
  signal(SIGPIPE, SIG_IGN);
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(listener, 128) != 0) {
    std::perror("upstream_server: bind/listen");
    return 1;
  }
  socklen_t len = sizeof addr;
  getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  if (!port_file.empty()) {
    std::string tmp = port_file + ".tmp";
    std::ofstream(tmp) << ntohs(addr.sin_port) << "\n";
    std::rename(tmp.c_str(), port_file.c_str());
  }
  for (;;) {
    int fd = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::thread(Serve, fd).detach();
  }
}
