// What every test file includes: the library, xtensor's tools, Catch2, and shared helpers.
#ifndef XTENSOR_TORCH_TEST_COMMON_HPP
#define XTENSOR_TORCH_TEST_COMMON_HPP

#include <atomic>
#include <complex>
#include <cstdint>
#include <numeric>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <xtensor-torch/xtensor-torch.hpp>

#include XTENSOR_TORCH_XTENSOR_HEADER(containers, xadapt)
#include XTENSOR_TORCH_XTENSOR_HEADER(containers, xarray)
#include XTENSOR_TORCH_XTENSOR_HEADER(generators, xbuilder)
#include XTENSOR_TORCH_XTENSOR_HEADER(core, xmath)
#include XTENSOR_TORCH_XTENSOR_HEADER(views, xstrided_view)
#include XTENSOR_TORCH_XTENSOR_HEADER(containers, xtensor)
#include XTENSOR_TORCH_XTENSOR_HEADER(views, xview)

#include "catch.hpp"

#include "counting.hpp"

namespace xtorch_test
{
    /// Runs f, requires that it throws xtorch::conversion_error, and returns the message.
    template <class F>
    std::string refusal(F&& f)
    {
        try
        {
            f();
        }
        catch (const xtorch::conversion_error& e)
        {
            return e.what();
        }
        catch (const std::exception& e)
        {
            FAIL("expected xtorch::conversion_error, got another exception: " << e.what());
        }
        FAIL("expected xtorch::conversion_error, nothing was thrown");
        return {};
    }

    /// Sets torch's intra-op thread count for a scope and restores it on the way out, also when a check fails.
    class scoped_threads
    {
    public:

        explicit scoped_threads(int n)
            : m_saved(at::get_num_threads())
        {
            at::set_num_threads(n);
        }
        ~scoped_threads()
        {
            at::set_num_threads(m_saved);
        }
        scoped_threads(const scoped_threads&) = delete;
        scoped_threads& operator=(const scoped_threads&) = delete;

    private:

        int m_saved;
    };

    /// A tensor over new memory whose deleter bumps frees(): for views that must keep it alive.
    inline at::Tensor counted_tensor(std::int64_t n)
    {
        auto* data = new float[static_cast<std::size_t>(n)];
        for (std::int64_t i = 0; i < n; ++i)
        {
            data[i] = static_cast<float>(i);
        }
        return at::from_blob(
            data, {n},
            [](void* p)
            {
                delete[] static_cast<float*>(p);
                ++frees();
            },
            at::kFloat);
    }

    /// The element at flat index i of a contiguous tensor, read here rather than inside libtorch:
    /// AddressSanitizer sees only reads made by instrumented code.
    template <class T>
    T read_raw(const at::Tensor& t, std::int64_t i)
    {
        return static_cast<const T*>(t.data_ptr())[i];
    }

    /// The values of a C++ type that every dtype of the map can hold exactly: 0 to 5, bools 0 and 1.
    template <class T>
    T sample(int i)
    {
        if constexpr (std::is_same<T, bool>::value)
        {
            return i % 2 == 1;
        }
        else if constexpr (xtorch::detail::is_complex<T>::value)
        {
            using R = typename T::value_type;
            return T(static_cast<R>(i % 6), static_cast<R>(1 + i % 3));
        }
        else
        {
            return static_cast<T>(static_cast<float>(i % 6));
        }
    }

    template <class... T>
    struct type_list
    {
    };

    using all_types =
        type_list<bool, std::uint8_t, std::int8_t, std::int16_t, std::int32_t, std::int64_t, float, double,
                  std::complex<float>, std::complex<double>, c10::Half, c10::BFloat16
#if XTENSOR_TORCH_HAS_WIDE_UNSIGNED
                  ,
                  std::uint16_t, std::uint32_t, std::uint64_t
#endif
                  >;

    /// Calls f(T{}) for each type of the list.
    template <class F, class... T>
    void for_each_type(type_list<T...>, F&& f)
    {
        (f(xtorch::detail::type_tag<T>{}), ...);
    }

    /// Every element of the xtensor expression e, in row-major order, equals the tensor's own indexing.
    template <class E>
    bool same_elements(const E& e, const at::Tensor& t)
    {
        using T = std::remove_cv_t<typename E::value_type>;
        const at::Tensor flat = t.contiguous();
        if (static_cast<std::int64_t>(e.size()) != flat.numel()
            || e.dimension() != static_cast<std::size_t>(t.dim()))
        {
            return false;
        }
        for (std::size_t d = 0; d < e.dimension(); ++d)
        {
            if (static_cast<std::int64_t>(e.shape()[d]) != t.size(static_cast<std::int64_t>(d)))
            {
                return false;
            }
        }
        const T* expected = static_cast<const T*>(flat.data_ptr());
        std::size_t i = 0;
        for (auto it = e.cbegin(); it != e.cend(); ++it, ++i)
        {
            if (!(*it == expected[i]))
            {
                return false;
            }
        }
        return true;
    }

    /// An xtensor expression with the same values as a, but lazy: it has no memory of its own.
    template <class T>
    auto lazy(const xt::xarray<T>& a)
    {
        return xt::make_lambda_xfunction([](const T& v) { return v; }, a);
    }

    template <class T>
    xt::xarray<T> samples(std::vector<std::size_t> shape)
    {
        xt::xarray<T> a = xt::xarray<T>::from_shape(shape);
        for (std::size_t i = 0; i < a.size(); ++i)
        {
            a.flat(i) = sample<T>(static_cast<int>(i));
        }
        return a;
    }
}

#endif
