// Version macros, the language check, and the one place that names the torch headers every xtensor-torch
// header needs.
#ifndef XTENSOR_TORCH_CONFIG_HPP
#define XTENSOR_TORCH_CONFIG_HPP

// Compilers: GCC and Clang (the overflow builtins, weak symbols and SSE2 intrinsics are theirs).
// Before any include: compiled as C++14 (torch 1.13's cpp_extension default), the headers would fail deep
// inside xtensor and the standard library instead of here.
// Not formatted: the message stays one line, as the compiler prints it.
// clang-format off
#if __cplusplus < 201703L
#error "xtensor-torch needs C++17 or later. Ask for it: g++ -std=c++17; CMake: link xtensor-torch::xtensor-torch (it asks for cxx_std_17) or set(CMAKE_CXX_STANDARD 17); torch.utils.cpp_extension: extra_cflags=['-std=c++17']."
// GCC goes on after #error; a missing header is fatal, so the message above stays the only error.
#include "xtensor-torch: compilation stopped, see the C++17 error above"
#endif
// clang-format on

#define XTENSOR_TORCH_VERSION_MAJOR 0
#define XTENSOR_TORCH_VERSION_MINOR 1
#define XTENSOR_TORCH_VERSION_PATCH 0

// The library uses ATen and c10; <torch/types.h> adds the torch:: names of the C++ frontend
// (torch::Tensor, torch::kFloat32, torch::Device, torch::TensorOptions, torch::zeros, ...), so that code
// written against them compiles after including only the umbrella header. <torch/torch.h>, which also
// brings the nn and optim modules, costs several times more compile time per translation unit.
#include <ATen/ATen.h>
#include <torch/types.h>
#include <torch/version.h>

/// Whether the torch compiled against is at least major.minor.
#define XTENSOR_TORCH_TORCH_AT_LEAST(major, minor) \
    (TORCH_VERSION_MAJOR > (major) || (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

/// Whether torch has the unsigned 16, 32 and 64-bit dtypes (torch 2.3+): std::uint16_t, std::uint32_t and
/// std::uint64_t are in the type map where it does.
#define XTENSOR_TORCH_HAS_WIDE_UNSIGNED XTENSOR_TORCH_TORCH_AT_LEAST(2, 3)

namespace xtorch
{
    namespace detail
    {
        // Since torch 2.1 reading and writing a tensor's memory are separate calls: writing materialises a
        // copy-on-write storage (torch._lazy_clone, 2.2+), which a write through a plain pointer would
        // land in while another tensor still shares it. Sources are read with the first, destinations and
        // writable views get the second.

        inline const void* const_data(const at::Tensor& t)
        {
#if XTENSOR_TORCH_TORCH_AT_LEAST(2, 1)
            return t.const_data_ptr();
#else
            return t.data_ptr();
#endif
        }

        inline void* mutable_data(const at::Tensor& t)
        {
#if XTENSOR_TORCH_TORCH_AT_LEAST(2, 1)
            return t.mutable_data_ptr();
#else
            return t.data_ptr();
#endif
        }

        /**
         * t.storage() without a virtual call where the tensor is on the CPU. TensorImpl::storage() is virtual
         * (lazy tensors override it), and a module built with hidden visibility, as Python modules are,
         * compares the vtable's entry with its own inline copy of the function, never equal, so every read of
         * a storage was an indirect call into libc10 (perf, torch 1.13: on every view parameter, twice). No CPU
         * tensor overrides it: its base's function is the one that runs, and it still refuses a tensor whose
         * storage must not be read.
         */
        inline const c10::Storage& storage_of(const at::Tensor& t)
        {
            const c10::TensorImpl* impl = t.unsafeGetTensorImpl();
            if (impl->is_cpu())
            {
                return impl->c10::TensorImpl::storage();
            }
            return impl->storage();
        }

        inline void* mutable_data(const c10::Storage& storage)
        {
#if XTENSOR_TORCH_TORCH_AT_LEAST(2, 1)
            return storage.mutable_data();
#else
            return const_cast<void*>(storage.data());
#endif
        }
    }
}

#endif
