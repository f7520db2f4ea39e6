// Memory helpers for the copies: asking the kernel for huge pages before new memory is first touched.
#ifndef XTENSOR_TORCH_DETAIL_MEMORY_HPP
#define XTENSOR_TORCH_DETAIL_MEMORY_HPP

#include "../config.hpp"  // first: it stops a compilation below C++17 with a clear message

#include <cstddef>
#include <cstdint>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace xtorch
{
    namespace detail
    {
        /// Below this size a copy's output is not worth a system call.
        constexpr std::size_t huge_page_threshold = std::size_t(8) << 20;

        /**
         * Asks Linux to back the 2 MiB-aligned interior of [data, data + bytes) with transparent huge
         * pages, for memory that nothing has touched yet. With 4 KiB pages, faulting in a fresh 128 MiB
         * output is more than half the time of a float64 to float32 copy (docs/performance.md).
         * Advisory only: content is unchanged, errors are ignored, and elsewhere it does nothing.
         */
        inline void advise_huge_pages(void* data, std::size_t bytes) noexcept
        {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
            if (data == nullptr || bytes < huge_page_threshold)
            {
                return;
            }
            constexpr std::uintptr_t huge = std::uintptr_t(2) << 20;
            const auto begin = (reinterpret_cast<std::uintptr_t>(data) + huge - 1) & ~(huge - 1);
            const auto end = (reinterpret_cast<std::uintptr_t>(data) + bytes) & ~(huge - 1);
            if (end > begin)
            {
                ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
            }
#else
            (void)data;
            (void)bytes;
#endif
        }
    }
}

#endif
