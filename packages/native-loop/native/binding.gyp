{
  "variables": {
    "jato_sanitize%": "<!(node -p \"process.env.JATO_SANITIZE === '1' ? 1 : 0\")",
    "jato_parser_include%": "<!(node -p \"require('path').relative(process.cwd(), require('path').join(require('path').dirname(require.resolve('@jato/parser/package.json')), 'include')).split(require('path').sep).join('/')\")",
    "jato_prebuilt%": "<!(node -p \"process.env.JATO_PREBUILT === '1' ? 1 : 0\")",
    "jato_napi_include%": "<!(node -p \"require('node-addon-api').include_dir\")"
  },
  "targets": [
    {
      "target_name": "jato_native_loop",
      "sources": ["addon.cc", "napi_bridge.cc", "listener.cc", "input_batch.cc", "writer.cc", "sweep_shutdown.cc", "stream_writer.cc", "file_sender.cc", "body_stream.cc", "body_buffer.cc", "body_pool.cc", "ws_input.cc", "ws_output.cc", "fanout_writes.cc"],
      "include_dirs": ["<(jato_napi_include)", "<(jato_parser_include)", "."],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-std=gnu++20"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-exceptions", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-missing-field-initializers"],
      "conditions": [
        ["jato_sanitize==1", {
          "cflags_cc": ["-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-g", "-O1"],
          "ldflags": ["-fsanitize=address,undefined"]
        }],
        ["jato_prebuilt==1 and OS=='linux'", { "sources": ["<(jato_parser_include)/../prebuilt/glibcxx_compat.cc"] }]
      ]
    }
  ]
}
