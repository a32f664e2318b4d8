{
  "variables": {
    "jato_sanitize%": "<!(node -p \"process.env.JATO_SANITIZE === '1' ? 1 : 0\")",
    "jato_parser_include%": "<!(node -p \"require('path').join(require('path').dirname(require.resolve('@jato/parser/package.json')), 'include')\")",
    "jato_napi_include%": "<!(node -p \"require('node-addon-api').include_dir\")"
  },
  "targets": [
    {
      "target_name": "jato_native_loop",
      "sources": ["native/addon.cc", "native/napi_bridge.cc", "native/listener.cc", "native/input_batch.cc", "native/writer.cc", "native/sweep_shutdown.cc", "native/stream_writer.cc"],
      "include_dirs": ["<(jato_napi_include)", "<(jato_parser_include)", "native"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-std=gnu++20"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-exceptions", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-missing-field-initializers"],
      "conditions": [
        ["jato_sanitize==1", {
          "cflags_cc": ["-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-g", "-O1"],
          "ldflags": ["-fsanitize=address,undefined"]
        }]
      ]
    }
  ]
}
