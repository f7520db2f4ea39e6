// Tests of views.hpp: as_xarray / as_xtensor, xtensor expressions over tensor memory, their lifetime and refusals.
#include "test_common.hpp"

using namespace xtorch_test;

TEST_CASE("as_xarray: torch::ones viewed, changes seen both ways", "[views]")
{
    at::Tensor t = at::ones({7});
    auto v = xtorch::as_xarray<float>(t);
    REQUIRE(v.dimension() == 1);
    REQUIRE(v.shape()[0] == 7);
    REQUIRE(&v(0) == t.data_ptr<float>());
    REQUIRE(xt::sum(v)() == 7.f);

    v(0) = 5.f;  // in place, xtensor side
    REQUIRE(t[0].item<float>() == 5.f);
    t.add_(1);  // in place, torch side
    REQUIRE(v(0) == 6.f);
    REQUIRE(v(6) == 2.f);

    xt::xarray<float> out_of_place = v + 1;  // a new array, not shared
    out_of_place(1) = -1;
    REQUIRE(t[1].item<float>() == 2.f);

    v += 1;  // computed assignment writes the tensor
    REQUIRE(t[1].item<float>() == 3.f);
    v = v * 2;  // assignment of an expression writes through the view too
    REQUIRE(t[1].item<float>() == 6.f);
}

TEST_CASE("as_xarray: a view outlives its tensor variable", "[views][lifetime]")
{
    frees() = 0;
    {
        xtorch::xarray_view<float> v = []
        {
            at::Tensor t = counted_tensor(6);
            return xtorch::as_xarray<float>(t);
        }();
        REQUIRE(frees() == 0);
        REQUIRE(v(5) == 5.f);
        {
            auto copy = v;  // a second view of the same memory
            copy(0) = 42.f;
            REQUIRE(v(0) == 42.f);
        }
        REQUIRE(frees() == 0);
        REQUIRE(v(0) == 42.f);
    }
    REQUIRE(frees() == 1);
}

// t.resize_ larger moves a resizable storage to new memory and frees the old block; a view cannot
// follow. As Tensor.numpy() does, a view makes the storage unresizable, and torch refuses the resize.
// Without that, the reads and writes below land in freed memory: AddressSanitizer reports them.
// (Torch sets the new sizes before the storage refuses, so after the refusal `t` itself claims more
// elements than its storage holds, as after numpy(): it is read here only through the view.)
TEST_CASE("as_xarray / as_xtensor: the tensor cannot be resized away from its views", "[views][lifetime]")
{
    at::Tensor t = at::arange(4, at::kFloat);
    REQUIRE(t.storage().resizable());
    const float* memory = t.data_ptr<float>();
    SECTION("as_xarray")
    {
        auto v = xtorch::as_xarray<float>(t);
        REQUIRE_FALSE(t.storage().resizable());
        CHECK_THROWS_WITH(t.resize_({1 << 16}), text::Contains("not resizable"));
        v(3) = 7.f;
        REQUIRE(v(0) + v(1) + v(2) + v(3) == 10.f);
        REQUIRE(memory[3] == 7.f);
    }
    SECTION("as_xtensor")
    {
        auto v = xtorch::as_xtensor<float, 1>(t);
        CHECK_THROWS_WITH(t.resize_({1 << 16}), text::Contains("not resizable"));
        v(3) = 7.f;
        REQUIRE(v(0) + v(1) + v(2) + v(3) == 10.f);
    }
    SECTION("a view of a slice holds the whole storage")
    {
        auto v = xtorch::as_xarray<const float>(t.slice(0, 1, 3));
        CHECK_THROWS_WITH(t.resize_({1 << 16}), text::Contains("not resizable"));
        REQUIRE(v(0) + v(1) == 3.f);
    }
    SECTION("a resize within the storage moves nothing, and torch allows it")
    {
        auto v = xtorch::as_xarray<float>(t);
        t.resize_({2});
        REQUIRE(t.data_ptr<float>() == v.data() + v.data_offset());
        REQUIRE(t.numel() == 2);
    }
}

TEST_CASE("as_xarray: a ZeroTensor has no memory to view", "[views][refusal]")
{
    const at::Tensor z = at::_efficientzerotensor({3}, at::kFloat);
    const std::string message = refusal([&] { (void)xtorch::as_xarray<float>(z); });
    REQUIRE_THAT(message, text::Contains("can't view a ZeroTensor: it has no memory (found a ZeroTensor"));
    REQUIRE_THAT(message, text::Contains("Use xtorch::to_xarray<float>(t) to copy its zeros."));
    REQUIRE((xtorch::to_xarray<float>(z) == xt::zeros<float>({3})));
}

namespace
{
    // A CPU tensor whose storage torch will not hand out, as its wrapper tensors' storages are.
    struct storage_hidden_impl : c10::TensorImpl
    {
        explicit storage_hidden_impl(c10::Storage storage)
            : c10::TensorImpl(std::move(storage), c10::DispatchKeySet(c10::DispatchKey::CPU),
                              caffe2::TypeMeta::Make<float>())
        {
            set_storage_access_should_throw();
            set_sizes_contiguous({3});
        }
    };
}

// The views read a CPU tensor's storage through TensorImpl's own function, not through the virtual call
// (storage_of): torch's refusal to hand out a storage must still come through, and nothing be read.
TEST_CASE("as_xarray: a CPU tensor whose storage torch hides is refused by torch", "[views][refusal]")
{
    const at::Tensor source = at::ones({3}, at::kFloat);
    const at::Tensor hidden = at::detail::make_tensor<storage_hidden_impl>(source.storage());
    REQUIRE(hidden.is_cpu());
    REQUIRE(hidden.numel() == 3);
    REQUIRE_THROWS_AS(hidden.storage(), c10::Error);
    REQUIRE_THROWS_AS(xtorch::detail::storage_of(hidden), c10::Error);
    REQUIRE_THROWS_AS((void)xtorch::as_xarray<float>(hidden), c10::Error);
    REQUIRE_THROWS_AS((void)xtorch::as_xarray<const float>(hidden), c10::Error);
}

// torch._lazy_clone (2.2+) shares memory until one side writes; a write through a view must not reach the
// clone, so writable views ask torch for memory of their own (mutable_data) first.
TEST_CASE("as_xarray: a write through a view does not reach a lazy clone's twin", "[views][cow]")
{
#if XTENSOR_TORCH_TORCH_AT_LEAST(2, 2)
    at::Tensor t = at::arange(4, at::kFloat);
    const at::Tensor twin = at::_lazy_clone(t);
    auto v = xtorch::as_xarray<float>(t);
    v(0) = 42.f;
    REQUIRE(t[0].item<float>() == 42.f);
    REQUIRE(twin[0].item<float>() == 0.f);
    auto r = xtorch::as_xarray<const float>(twin);  // reading shares, as torch does
    REQUIRE(r(3) == 3.f);
#else
    WARN("torch " << TORCH_VERSION
                  << " has no copy-on-write storages (torch._lazy_clone is 2.2+): nothing to check");
#endif
}

TEST_CASE("as_xarray: exact strides and offset for every layout torch makes", "[views][strides]")
{
    at::Tensor base = at::arange(60, at::kDouble).reshape({3, 4, 5});
    const std::vector<std::pair<std::string, at::Tensor>> cases = {
        {"contiguous", base},
        {"transposed", base.transpose(0, 2)},
        {"permuted", base.permute({1, 2, 0})},
        {"sliced with offset and step", base.slice(1, 1, 4, 2).slice(2, 1, 5, 3)},
        {"a column", base.select(2, 3)},
        {"expanded (stride 0)", at::arange(5, at::kDouble).expand({4, 5})},
        {"unsqueezed size-1 dims", base.select(0, 1).unsqueeze(0).unsqueeze(2)},
        {"0-d", base[1][2][3]},
        {"empty", base.slice(1, 2, 2)},
        {"column-major", base.select(0, 0).t().contiguous().t()},
    };
    for (const auto& [name, t] : cases)
    {
        INFO(name << ": sizes " << t.sizes() << " strides " << t.strides());
        // Read-only: the expanded tensor's elements share memory, which only a const view takes.
        auto v = xtorch::as_xarray<const double>(t);
        REQUIRE(same_elements(v, t));
        REQUIRE(v.data_offset() == static_cast<std::size_t>(t.storage_offset()));
        REQUIRE(v.data() + v.data_offset() == t.data_ptr<double>());
        for (std::int64_t d = 0; d < t.dim(); ++d)
        {
            if (t.size(d) > 1)
            {
                REQUIRE(v.strides()[static_cast<std::size_t>(d)] == t.stride(d));
            }
        }
        REQUIRE(xt::sum(v)() == text::Approx(t.sum().item<double>()));
    }
}

TEST_CASE("as_xarray: tensors with no memory (null data) are empty views xtensor can walk", "[views][strides]")
{
    // torch gives an empty tensor no data pointer; xtensor computes an empty strided view's end as
    // data + stride * (0 - 1), so the view must not point at null (UndefinedBehaviorSanitizer checks).
    const std::vector<std::pair<std::string, at::Tensor>> cases = {
        {"0 x 3", at::empty({0, 3})},
        {"3 x 0, transposed", at::empty({0, 3}).t()},
        {"2 x 0 x 4, permuted", at::empty({2, 0, 4}).permute({2, 0, 1})},
        {"0", at::empty({0})},
    };
    for (const auto& [name, t] : cases)
    {
        INFO(name << ": sizes " << t.sizes() << " strides " << t.strides());
        REQUIRE(t.data_ptr() == nullptr);
        auto v = xtorch::as_xarray<float>(t);
        REQUIRE(v.size() == 0);
        REQUIRE(std::vector<std::size_t>(v.shape().begin(), v.shape().end()) ==
                std::vector<std::size_t>(t.sizes().begin(), t.sizes().end()));
        std::size_t walked = 0;
        for (float& x : v)
        {
            x = 1.0f;
            ++walked;
        }
        REQUIRE(walked == 0);
        REQUIRE(std::distance(v.crbegin(), v.crend()) == 0);
        v.fill(2.0f);
        v = xt::zeros<float>(v.shape());
        REQUIRE(xt::sum(v)() == 0.0f);
        REQUIRE(xtorch::to_tensor(v).sizes() == t.sizes());
        auto c = xtorch::as_xarray<const float>(t);
        REQUIRE(xt::xarray<float>(c).size() == 0);
    }
}

TEST_CASE("as_xarray: writes through a strided view land where torch reads them", "[views][strides]")
{
    at::Tensor base = at::zeros({4, 6}, at::kInt);
    at::Tensor t = base.slice(0, 1, 4, 2).slice(1, 0, 6, 3).t();  // gapped and transposed
    auto v = xtorch::as_xarray<std::int32_t>(t);
    v = xt::xarray<std::int32_t>{{1, 2}, {3, 4}};
    REQUIRE(t.equal(at::tensor({1, 2, 3, 4}, at::kInt).reshape({2, 2})));
    REQUIRE(base.sum().item<int>() == 10);  // nothing written outside the view
    v = v + v;  // aliasing: evaluated into a temporary, then written through the strides
    REQUIRE(t.equal(at::tensor({2, 4, 6, 8}, at::kInt).reshape({2, 2})));
    REQUIRE(base.sum().item<int>() == 20);
    REQUIRE_THROWS(v = xt::xarray<std::int32_t>{{1, 2, 3}});  // shapes that do not broadcast
}

TEST_CASE("as_xarray: works with xtensor's algorithms and views", "[views]")
{
    at::Tensor t = at::arange(12, at::kFloat).reshape({3, 4});
    auto v = xtorch::as_xarray<float>(t);
    REQUIRE((xt::sum(v, {0}) == xt::xarray<float>{12, 15, 18, 21}));
    auto row = xt::view(v, 1, xt::all());
    REQUIRE(row(2) == 6.f);
    row(2) = -6.f;
    REQUIRE(t[1][2].item<float>() == -6.f);
    REQUIRE(std::accumulate(v.begin(), v.end(), 0.f) == 66.f - 12.f);
    xt::xarray<float> copy = v;  // copying into a container is a real copy
    copy(0, 0) = 100.f;
    REQUIRE(t[0][0].item<float>() == 0.f);
}

TEST_CASE("inline_shape: the sequence xtensor expects, in place up to 8 values and on the heap beyond", "[views]")
{
    using shape = xtorch::inline_shape<std::size_t>;
    static_assert(std::is_same<xtorch::xarray_view<float>::shape_type, shape>::value, "the views' shape type");
    static_assert(std::is_same<xtorch::xarray_view<float>::strides_type, xtorch::inline_shape<std::ptrdiff_t>>::value,
                  "xtensor rebinds the shape type to the strides type");
    static_assert(std::is_same<xtorch::xarray_view<float>::temporary_type, xt::xarray<float>>::value,
                  "a dynamic rank's temporary is an xarray, not a fixed-rank xtensor");
    for (const std::size_t n : {0, 1, 3, 8, 9, 20})
    {
        INFO("size " << n);
        std::vector<std::int64_t> source(n);
        std::iota(source.begin(), source.end(), 5);
        const shape made(source.begin(), source.end());  // converted, as from torch's int64 sizes
        REQUIRE(made.size() == n);
        REQUIRE(std::equal(made.begin(), made.end(), source.begin(), source.end()));
        REQUIRE(made == std::vector<std::size_t>(source.begin(), source.end()));

        shape copy = made;
        REQUIRE(copy == made);
        if (n > 0)
        {
            copy[n - 1] = 0;  // the copy has values of its own
            REQUIRE(made.back() == 4 + n);
            REQUIRE(copy != made);
        }
        shape moved = std::move(copy);
        REQUIRE(moved.size() == n);
        REQUIRE(copy.empty());  // NOLINT(bugprone-use-after-move): a moved-from shape is empty, and usable
        copy = moved;
        REQUIRE(copy == moved);

        shape assigned{1, 2};
        assigned = made;
        REQUIRE(assigned == made);
        assigned = shape(3, 7);
        REQUIRE(assigned == std::vector<std::size_t>{7, 7, 7});

        shape zeros(n);
        REQUIRE(std::all_of(zeros.begin(), zeros.end(), [](std::size_t v) { return v == 0; }));
        zeros.resize(n + 10);  // grows onto the heap with zeros
        REQUIRE(zeros.size() == n + 10);
        REQUIRE(zeros.back() == 0);
        REQUIRE(zeros.capacity() >= n + 10);

        shape a = made;
        shape b{9};
        swap(a, b);
        REQUIRE(a == std::vector<std::size_t>{9});
        REQUIRE(b == made);
    }
    // Comparisons with xtensor's own shapes, as between those: svector (xt::xarray) and std::array (xt::xtensor).
    const shape two_by_three{2, 3};
    const xt::xarray<double> a = xt::zeros<double>({2, 3});
    REQUIRE(two_by_three == a.shape());
    REQUIRE(a.shape() == two_by_three);
    REQUIRE(two_by_three == std::array<std::size_t, 2>{2, 3});
    REQUIRE(two_by_three != std::array<std::size_t, 2>{3, 2});
    REQUIRE(std::vector<std::size_t>{2} != two_by_three);

    shape pushed;
    for (std::size_t i = 0; i < 30; ++i)
    {
        pushed.push_back(i);
    }
    REQUIRE(pushed.size() == 30);
    REQUIRE(pushed[29] == 29);
    REQUIRE_THROWS_AS(pushed.at(30), std::out_of_range);
    pushed.resize(2);
    REQUIRE(pushed == std::vector<std::size_t>{0, 1});
}

TEST_CASE("as_xarray: more dimensions than the shape holds in place", "[views][strides]")
{
    // Eleven dimensions: the view's shape, strides and backstrides live on the heap.
    std::vector<std::int64_t> sizes(11, 2);
    sizes[3] = 1;
    const at::Tensor base = at::arange(1024, at::kDouble).reshape(sizes);
    const at::Tensor permuted = base.permute({10, 0, 9, 1, 8, 2, 7, 3, 6, 4, 5}).slice(0, 1, 2);
    auto v = xtorch::as_xarray<double>(permuted);
    REQUIRE(v.dimension() == 11);
    REQUIRE(same_elements(v, permuted));
    REQUIRE(xt::sum(v)() == text::Approx(permuted.sum().item<double>()));

    const auto copy = v;  // copied views, and a view moved into a container of views
    std::vector<xtorch::xarray_view<double>> views;
    views.push_back(std::move(v));
    REQUIRE(same_elements(copy, permuted));
    REQUIRE(same_elements(views[0], permuted));
    views[0] += 1.0;  // writes through the heap-held strides land in the tensor
    REQUIRE(permuted.sum().item<double>() == text::Approx(xt::sum(copy)()));
    REQUIRE(base.sum().item<double>() == text::Approx(1023.0 * 1024.0 / 2.0 + 512.0));
}

TEST_CASE("as_xtensor: static rank", "[views]")
{
    at::Tensor t = at::eye(3, at::kDouble);
    xtorch::xtensor_view<double, 2> m = xtorch::as_xtensor<double, 2>(t);
    REQUIRE(m(1, 1) == 1.0);
    REQUIRE(m(1, 2) == 0.0);
    m(1, 2) = 7.0;
    REQUIRE(t[1][2].item<double>() == 7.0);

    const std::string msg = refusal([&] { xtorch::as_xtensor<double, 3>(t); });
    REQUIRE_THAT(
        msg,
        text::Contains(
            "xtorch::as_xtensor<double, 3>: rank mismatch (found rank 2 (sizes [3, 3]), expected rank 3)"));
    REQUIRE_THAT(msg, text::Contains("xtorch::as_xarray<double>(t)"));

    auto s = xtorch::as_xtensor<double, 0>(t[0][0]);
    REQUIRE(s() == 1.0);
}

TEST_CASE("as_xarray<const T>: a read-only view", "[views]")
{
    at::Tensor t = at::arange(4, at::kLong);
    xtorch::xarray_view<const std::int64_t> v = xtorch::as_xarray<const std::int64_t>(t);
    REQUIRE(v(3) == 3);
    REQUIRE(xt::sum(v)() == 6);
    static_assert(std::is_const<std::remove_reference_t<decltype(v(0))>>::value, "elements are read-only");
}

TEST_CASE("as_xarray: every dtype of the map", "[views][dtype]")
{
    for_each_type(all_types{},
                  [](auto tag)
                  {
                      using T = typename decltype(tag)::type;
                      INFO("type " << xtorch::type_name<T>());
                      xt::xarray<T> src = xt::xarray<T>::from_shape({2, 3});
                      for (std::size_t i = 0; i < src.size(); ++i)
                      {
                          src.flat(i) = sample<T>(static_cast<int>(i));
                      }
                      at::Tensor t = xtorch::to_tensor(src).t();
                      auto v = xtorch::as_xarray<T>(t);
                      REQUIRE(same_elements(v, t));
                      REQUIRE((v == xt::transpose(src)));
                      v(0, 1) = sample<T>(4);
                      REQUIRE(xtorch::to_xarray<T>(t)(0, 1) == sample<T>(4));
                      at::Tensor back = xtorch::as_tensor(v);
                      REQUIRE(back.is_alias_of(t));
                      REQUIRE(back.strides() == t.strides());
                  });
}

TEST_CASE("as_xarray: refusals say what was found, what was expected and what works", "[views][refusal]")
{
    SECTION("dtype")
    {
        const std::string msg = refusal([] { xtorch::as_xarray<float>(at::zeros({2}, at::kDouble)); });
        REQUIRE(
            msg
            == "xtorch::as_xarray<float>: dtype mismatch (found Double, expected Float). Use "
               "xtorch::to_xarray<float>(t) to copy and cast, or xtorch::as_xarray<double>(t) to view it as it is.");
    }
    SECTION("requires grad")
    {
        at::Tensor t = at::zeros({2}).requires_grad_();
        const std::string msg = refusal([&] { xtorch::as_xarray<float>(t); });
        REQUIRE_THAT(msg, text::StartsWith("xtorch::as_xarray<float>: can't view a tensor that requires grad "
                                           "(found requires_grad=true, expected requires_grad=false)."));
        REQUIRE_THAT(msg, text::Contains("xtorch::as_xarray<float>(t.detach())"));
        REQUIRE(xtorch::as_xarray<float>(t.detach()).size() == 2);
    }
    SECTION("conjugate bit")
    {
        at::Tensor t = at::zeros({2}, at::kComplexDouble).conj();
        REQUIRE(t.is_conj());
        const std::string msg = refusal([&] { xtorch::as_xarray<std::complex<double>>(t); });
        REQUIRE_THAT(msg, text::Contains("can't view a tensor that has conjugate bit set"));
        REQUIRE_THAT(msg, text::Contains("(t.resolve_conj())"));
    }
    SECTION("negative bit")
    {
        at::Tensor t = at::_neg_view(at::zeros({2}));
        REQUIRE(t.is_neg());
        const std::string msg = refusal([&] { xtorch::as_xarray<float>(t); });
        REQUIRE_THAT(msg, text::Contains("can't view a tensor that has negative bit set"));
        REQUIRE_THAT(msg, text::Contains("(t.resolve_neg())"));
    }
    SECTION("sparse layout")
    {
        at::Tensor t = at::eye(3).to_sparse();
        const std::string msg = refusal([&] { xtorch::as_xarray<float>(t); });
        REQUIRE_THAT(msg,
                     text::Contains("can't convert Sparse layout tensor to xtensor (found Sparse layout, "
                                    "expected strided layout)"));
        REQUIRE_THAT(msg, text::Contains("t.to_dense()"));
        REQUIRE((xtorch::to_xarray<float>(t) == xt::eye<float>(3)));
    }
    SECTION("another device")
    {
        at::Tensor t = at::empty({2}, at::device(at::kMeta));
        const std::string msg = refusal([&] { xtorch::as_xarray<float>(t); });
        REQUIRE(
            msg
            == "xtorch::as_xarray<float>: can't convert meta device type tensor to xtensor (found device meta, "
               "expected device cpu). Use xtorch::to_xarray<float>(t) to copy the tensor to host memory, or "
               "t.cpu() first.");
    }
    SECTION("undefined tensor")
    {
        const std::string msg = refusal([] { xtorch::as_xarray<float>(at::Tensor()); });
        REQUIRE_THAT(msg, text::Contains("the tensor is undefined"));
    }
    SECTION("sizes and strides outside the storage")
    {
        at::Tensor t = at::zeros({4});
        t.unsafeGetTensorImpl()->set_sizes_and_strides(
            at::IntArrayRef{4}, at::IntArrayRef{2});  // torch's own API would refuse this
        const std::string msg = refusal([&] { xtorch::as_xarray<float>(t); });
        REQUIRE_THAT(msg, text::Contains("reach outside its storage (found last element at index 6"));
    }
    SECTION("a contiguous tensor whose storage ends one byte before its last element's, or at its end")
    {
        // The contiguous case compares bytes: 3 elements from offset 1 end at byte 32.
        at::Tensor t = at::zeros({4}, at::kDouble).narrow(0, 1, 3);
        REQUIRE(t.is_contiguous());
        t.storage().unsafeGetStorageImpl()->set_nbytes(31);
        const std::string msg = refusal([&] { xtorch::as_xarray<double>(t); });
        REQUIRE_THAT(msg, text::Contains("reach outside its storage (found last element at index 3"));
        t.storage().unsafeGetStorageImpl()->set_nbytes(32);
        REQUIRE(xtorch::as_xarray<double>(t)(2) == 0.0);
    }
    SECTION("static rank names the dynamic call")
    {
        const std::string msg = refusal([] { xtorch::as_xtensor<float, 1>(at::zeros({2, 2})); });
        REQUIRE_THAT(msg, text::Contains("rank mismatch"));
    }
}

// One list of refusals serves C++ (as_xarray) and Python (view parameters): each is found for the tensor that
// shows it, and both audiences get the same problem with values in their own spelling. (Python dispatch needs
// a Python subclass: tests/python/test_view_caster.py covers it.)
TEST_CASE("view refusals: one list, found in order and described for C++ and Python", "[views][refusal]")
{
    using xtorch::detail::audience;
    using xtorch::detail::view_refusal;
    auto outside = at::zeros({4});
    outside.unsafeGetTensorImpl()->set_sizes_and_strides(at::IntArrayRef{4}, at::IntArrayRef{2});
    auto huge = at::zeros({4});
    huge.unsafeGetTensorImpl()->set_sizes_and_strides(at::IntArrayRef{std::int64_t(1) << 61, 2},
                                                      at::IntArrayRef{4, 1});
    auto negative = at::zeros({4});
    negative.unsafeGetTensorImpl()->set_sizes_and_strides(at::IntArrayRef{2}, at::IntArrayRef{1}, 1);
    negative.unsafeGetTensorImpl()->set_stride(
        0, -1);  // set_sizes_and_strides reads a negative stride as "compute it"
    const std::vector<std::pair<at::Tensor, view_refusal>> cases = {
        {at::zeros({2, 3}), view_refusal::none},
        {at::Tensor(), view_refusal::undefined},
        {at::eye(2).to_sparse(), view_refusal::layout},
        {at::_efficientzerotensor({2}, at::kFloat), view_refusal::zero_tensor},
        {at::empty({2}, at::device(at::kMeta)), view_refusal::device},
        {at::zeros({2}).requires_grad_(), view_refusal::requires_grad},
        {at::zeros({2}, at::kComplexFloat).conj(), view_refusal::conjugate_bit},
        {at::_neg_view(at::zeros({2})), view_refusal::negative_bit},
        {at::zeros({2}, at::kDouble), view_refusal::dtype},
        {at::zeros({2}), view_refusal::rank},
        {negative, view_refusal::negative_stride},
        {huge, view_refusal::too_large},
        {outside, view_refusal::outside_storage},
        {at::zeros({0, 2}), view_refusal::none},  // empty: no element to read
        // The order: torch's Tensor.numpy() checks the device before requires_grad.
        {at::empty({2}, at::device(at::kMeta)).requires_grad_(), view_refusal::device},
    };
    for (const auto& [t, expected] : cases)
    {
        const bool complex = expected == view_refusal::conjugate_bit;
        const c10::ScalarType dtype = complex ? at::kComplexFloat : at::kFloat;
        const std::int64_t rank = expected == view_refusal::rank ? 2 : -1;
        const view_refusal found = xtorch::detail::find_view_refusal(t, dtype, rank, /*writable=*/true);
        CAPTURE(static_cast<int>(expected));
        REQUIRE(found == expected);
        if (found == view_refusal::none)
        {
            continue;
        }
        const auto cpp = xtorch::detail::describe_view_refusal(found, t, dtype, rank, audience::cpp);
        const auto py = xtorch::detail::describe_view_refusal(found, t, dtype, rank, audience::python);
        REQUIRE(cpp.problem == py.problem);
        REQUIRE_FALSE(cpp.found.empty());
        REQUIRE_FALSE(cpp.expected.empty());
        if (found == view_refusal::dtype)
        {
            REQUIRE(cpp.found == "Double");
            REQUIRE(py.found == "float64");
        }
        if (found == view_refusal::rank)
        {
            REQUIRE(cpp.found == "rank 1 (sizes [2])");
            REQUIRE(py.found == "rank 1, shape (2,)");
        }
        if (found == view_refusal::requires_grad)
        {
            REQUIRE(py.found == "requires_grad=True");
        }
    }
    SECTION("as_xarray's message is the description with a C++ fix")
    {
        const auto parts = xtorch::detail::describe_view_refusal(view_refusal::outside_storage, outside,
                                                                 at::kFloat, -1, audience::cpp);
        REQUIRE(refusal([&] { xtorch::as_xarray<float>(outside); })
                == "xtorch::as_xarray<float>: " + parts.problem + " (found " + parts.found + ", expected "
                       + parts.expected + "). Make the tensor with sizes and strides that fit its storage.");
        REQUIRE(parts.found == "last element at index 6");
        REQUIRE(parts.expected == "an index below the storage size 4");
    }
}

TEST_CASE("as_xarray: writable views refuse elements that share memory, const views read them", "[views][refusal]")
{
    const at::Tensor row = at::arange(3, at::kFloat);
    const at::Tensor broadcast = row.expand({4, 3});
    const auto reading = xtorch::as_xarray<const float>(broadcast);
    REQUIRE(reading.shape() == std::vector<std::size_t>{4, 3});
    REQUIRE(xt::sum(reading)() == 12.0f);
    REQUIRE_THROWS_AS(xtorch::as_xarray<float>(broadcast), xtorch::conversion_error);
    REQUIRE_THROWS_AS((xtorch::as_xtensor<float, 2>(at::zeros({6}).as_strided({2, 3}, {1, 1}))),
                      xtorch::conversion_error);
    // Strides whose elements are apart are written through, however they are laid out.
    at::Tensor t = at::zeros({4, 6});
    auto stepped = xtorch::as_xarray<float>(t.slice(1, 0, 6, 2).t());
    stepped += 1.0f;
    REQUIRE(t.sum().item<float>() == 12.0f);
    // Under no_grad or below autograd nothing changes: overlap is about memory, not autograd.
    at::NoGradGuard no_grad;
    REQUIRE_THROWS_AS(xtorch::as_xarray<float>(broadcast), xtorch::conversion_error);
}
