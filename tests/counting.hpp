// The destructor counter of the lifetime tests, shared by the Catch2 suite and the Python test module:
// an allocator whose deallocations bump frees(), and which remembers its last allocation.
#ifndef XTENSOR_TORCH_TESTS_COUNTING_HPP
#define XTENSOR_TORCH_TESTS_COUNTING_HPP

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include <xtensor-torch/detail/xtensor.hpp>  // XTENSOR_TORCH_XTENSOR_HEADER: either xtensor layout
#include XTENSOR_TORCH_XTENSOR_HEADER(containers, xarray)
#include XTENSOR_TORCH_XTENSOR_HEADER(containers, xstorage)

namespace xtorch_test
{
    /// Counts deallocations of counting_allocator (and of the tests' own deleters).
    inline std::atomic<int>& frees()
    {
        static std::atomic<int> count{0};
        return count;
    }

    /// The address of the last block counting_allocator gave out: to tell a move from a copy.
    inline std::atomic<std::uintptr_t>& last_allocation()
    {
        static std::atomic<std::uintptr_t> address{0};
        return address;
    }

    template <class T>
    struct counting_allocator : std::allocator<T>
    {
        using value_type = T;
        template <class U>
        struct rebind
        {
            using other = counting_allocator<U>;
        };
        counting_allocator() = default;
        template <class U>
        counting_allocator(const counting_allocator<U>&) noexcept
        {
        }
        T* allocate(std::size_t n)
        {
            T* p = std::allocator<T>::allocate(n);
            last_allocation() = reinterpret_cast<std::uintptr_t>(p);
            return p;
        }
        void deallocate(T* p, std::size_t n)
        {
            ++frees();
            std::allocator<T>::deallocate(p, n);
        }
    };

    using counted_xarray = xt::xarray_container<xt::uvector<double, counting_allocator<double>>>;
}

#endif
